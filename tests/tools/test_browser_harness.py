"""The test server: a browser hanging up mid-file prints nothing (Stop and the stall tests do
it on purpose), while any other fault still prints its traceback."""

import socket
import struct
import time

from tools.browser_harness import serve


def test_a_client_that_hangs_up_mid_file_prints_nothing(tmp_path, capsys):
    (tmp_path / "big.bin").write_bytes(bytes(32 << 20))  # more than the socket buffers hold
    with serve(tmp_path) as base:
        host, port = base.split("//")[1].strip("/").split(":")
        with socket.create_connection((host, int(port))) as client:
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)  # the server is writing
            # Closed with a reset, not a goodbye: the server's next write fails at once.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.5)  # the server's thread meets the closed socket
    assert "Traceback" not in capsys.readouterr().err
