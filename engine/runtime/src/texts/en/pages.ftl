# The validation-link pages and the status pages.
