"""Marshmallow schemas: they validate input and generate the OpenAPI document."""
