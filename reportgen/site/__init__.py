"""Site stage: pages, CSVs and assets, written into a staging folder and swapped in."""
