"""Sign-in with ORCID: allauth's ORCID provider, reading ORCID's addresses from the settings at each request.

allauth's own adapter fixes its URLs when it is imported, always over https, from SOCIALACCOUNT_PROVIDERS;
this one reads ORCID_BASE_URL and ORCID_API_URL (globalir.settings), so that a test can point it at a fake
ORCID server on loopback. Selected through SOCIALACCOUNT_PROVIDERS["orcid"]["provider_class"], which makes
allauth mount this package's urls.py in place of its own.

With no client configured the provider has no app: allauth then lists no ORCID button, and the views here
answer 404 rather than allauth's error about a missing app.
"""
