"""Verification of digitally signed documents (PDF, XML Signature, XAdES).

`verify.verify_target` is the entry point: it reads a file or downloads a URL, dispatches on
the content (never on the file name), and returns a `DocumentReport` whose findings use the
shared model (`assure.findings`) and the check IDs of interface §6.
"""
