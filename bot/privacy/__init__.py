"""A person's own data: /privacy, /mydata export, /deletemydata erasure, and operator
statistics that carry no words.
"""
