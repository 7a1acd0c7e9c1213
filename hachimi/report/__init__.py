"""Run folder -> metrics.json, plots, index.html and a Hugging Face datasets folder."""
