"""Hardware catalogs: cloud instance types, GPUs, unit prices and on-prem servers."""
