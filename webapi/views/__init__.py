"""The API's blueprints, one per resource; ``BLUEPRINTS`` lists the ones that are built
on services that exist (see ``webapi.views.catalog``)."""
