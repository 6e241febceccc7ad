"""marshmallow schemas of the API's requests and responses, one module per subject
(named as its service in ``timebank.services``), and ``common`` for what they share."""
