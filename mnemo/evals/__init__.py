"""Evaluations: `mnemo eval`. ``scoring`` holds the judge-free scores."""
