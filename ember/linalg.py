"""ember.linalg (being written)"""
