"""A real SMTP server (aiosmtpd) on a free loopback port that records what it receives."""
import asyncio
import threading
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, refuse: int = 0, delay: float = 0.0):
        self.messages: list[Message] = []
        self.refuse = refuse  # refuse this many deliveries first, as a failing server would
        self.delay = delay  # seconds each delivery takes, as a slow server's would
        self.started = 0
        self._waiting: dict[int, threading.Event] = {}

    def delivery_started(self, n: int) -> threading.Event:
        """An event set when the nth delivery begins."""
        return self._waiting.setdefault(n, threading.Event())

    async def handle_DATA(self, server, session, envelope):
        self.started += 1
        if self.started in self._waiting:
            self._waiting[self.started].set()
        await asyncio.sleep(self.delay)
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Requested action aborted: local error in processing"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int, refuse: int = 0, delay: float = 0.0):
        self.handler = Recorder(refuse, delay)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
