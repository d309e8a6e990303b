"""Collection (归集): reading department files, mapping headers and validating rows. No database here."""
