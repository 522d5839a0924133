"""Files the tool owns: coding sheets, duplicate decisions, caches."""
