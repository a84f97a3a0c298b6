"""The National Rapporteur's report: composed from the data, written as Word and PDF, generated in the background."""
