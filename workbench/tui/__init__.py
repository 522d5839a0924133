"""The Textual front end (imports the library; the library never imports it)."""
