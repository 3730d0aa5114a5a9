// Module Audio: see README.md in this folder.
