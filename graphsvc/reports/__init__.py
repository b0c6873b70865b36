"""Reports rendered from analysis results: HTML (printable, offline, with SVG diagrams) and Markdown."""
