// Module Pipeline: see README.md in this folder.
