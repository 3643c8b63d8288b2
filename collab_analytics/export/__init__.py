"""Export: PNG/SVG images, the PPTX deck, the HTML report, XLSX/CSV tables, one-call report."""
