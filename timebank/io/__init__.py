"""Import and export: CSV and XLSX readers and writers, header mapping, bulk import."""
