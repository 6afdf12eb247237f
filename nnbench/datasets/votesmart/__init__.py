"""Build the ``candidates`` folder from Project Vote Smart, through either of its APIs.

Steps: list the candidates in a :class:`BuildScope` (:mod:`.listing`), ask each one's bio for
the gender and photo URL, download the photo, drop the ones that cannot be used, centre-crop and
resize the rest to 110 x 135 RGB (:mod:`.outcomes`), and write the folder format of
:mod:`nnbench.datasets.candidates_format` (:mod:`.folder_state`, :mod:`.build`).

The two APIs sit behind one interface (:mod:`.api`): the classic key API (:mod:`.classic`), whose
shapes are confirmed by recordings of the live service, and REST API 2.0 (:mod:`.rest2`), whose
shapes are inferred from the newest public clients. :mod:`.credentials` chooses between them;
:mod:`.transport` rate-limits, times out and retries every request and keeps credentials out of
every message. The package itself holds only the names below, which the candidates loader
uses without loading the builder; import the rest from the modules.
"""

API_KEY_ENV = "VOTESMART_API_KEY"
EMAIL_ENV = "VOTESMART_EMAIL"
PASSWORD_ENV = "VOTESMART_PASSWORD"
TOKEN_ENV = "VOTESMART_API_TOKEN"
#: the APIs, as ``--api`` and the manifest name them
APIS = ("classic", "rest2")
HOW_TO_SET = (
    f"Set {API_KEY_ENV} (or pass --api-key) for the classic API, or {EMAIL_ENV} and "
    f"{PASSWORD_ENV}, or {TOKEN_ENV}, for REST API 2.0."
)
