"""The Telegram channel: it turns updates into questions for the Asker and Answers into messages.

Nothing here decides what an answer is; see ``bot.question`` for that.
"""
