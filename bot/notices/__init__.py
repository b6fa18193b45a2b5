"""Telling the partner, once and kindly, that a shared setting changed."""
