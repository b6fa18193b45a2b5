"""The running bot: python-telegram-bot's Application with every feature's handlers, per-chat
ordering, unreadable updates, and webhook mode.
"""
