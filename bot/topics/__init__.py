"""/topics: which decks a pair receives, and its relationship stages."""
