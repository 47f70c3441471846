"""What many test modules share: servers on loopback, ports and clients (imported as ``support``)."""

from support.recorder import Recording, recording_server
from support.servers import RunningServer, free_port, start_server

__all__ = ["Recording", "RunningServer", "free_port", "recording_server", "start_server"]
