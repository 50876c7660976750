"""What ``tuner.dashboard()`` shows in a Jupyter notebook, local or remote.

The dashboard listens on the machine the kernel runs on. A notebook opened on that
same machine shows it in a frame at ``127.0.0.1``; a notebook served from another
machine (JupyterHub, a cloud notebook, a server reached over SSH) cannot reach that
address, so the output also says how to: through the notebook server's proxy
(jupyter-server-proxy) or an SSH tunnel. On JupyterHub, found from the variable it
sets in every kernel, the frame goes through the proxy at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from html import escape

#: Set by JupyterHub in every single-user server: ``/user/<name>/``.
HUB_PREFIX_VARIABLE = "JUPYTERHUB_SERVICE_PREFIX"


def hub_root_path(env: Mapping[str, str] | None = None) -> str | None:
    """The root path the dashboard has behind JupyterHub's server proxy, or None.

    ``{port}`` stands for the dashboard's port, filled in once it listens.

    Example:
        >>> hub_root_path({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"})
        '/user/ada/proxy/{port}'
        >>> hub_root_path({}) is None
        True
    """
    prefix = (os.environ if env is None else env).get(HUB_PREFIX_VARIABLE)
    if not prefix:
        return None
    return prefix.rstrip("/") + "/proxy/{port}"


def notebook_html(url: str, port: int, root_path: str, page: str = "") -> str:
    """A frame showing the dashboard, and what to do when it stays blank.

    ``url``: the address on this machine; ``root_path``: where a proxy serves it
    (the frame then goes through the proxy, on the notebook's own address);
    ``page``: the ``#/study/...`` part to open.

    Example:
        >>> html = notebook_html("http://127.0.0.1:8765/", 8765, "")
        >>> 'src="http://127.0.0.1:8765/"' in html and "ssh -N -L 8765:" in html
        True
    """
    query = url[url.index("?") :] if "?" in url else ""
    proxied = f"{root_path}/{query}{page}" if root_path else None
    src = proxied or url + page
    shown = escape(src)
    lines = [
        f'<iframe src="{shown}" width="100%" height="720" style="border:1px solid #ddd"></iframe>',
        f'<p><a href="{shown}" target="_blank">Open the dashboard</a> ({shown})</p>',
    ]
    if proxied:
        lines.append(
            "<p>Shown through the notebook server's proxy (jupyter-server-proxy). If the "
            "frame stays blank, that proxy is missing: <code>pip install "
            "jupyter-server-proxy</code> where Jupyter runs, and restart it.</p>"
        )
    else:
        proxy_form = f"tuner.dashboard(root_path=&quot;/proxy/{port}&quot;)"
        lines.append(
            "<details><summary>Blank frame? The notebook runs on another machine</summary>"
            f"<p>The dashboard listens at {escape(url)} on the machine the kernel runs "
            "on, which your browser cannot reach from elsewhere. Either:</p><ul>"
            "<li>through Jupyter's proxy (<code>pip install jupyter-server-proxy</code> "
            f"on the server): call <code>{proxy_form}</code> and open "
            f"<code>&lt;the notebook's address&gt;/proxy/{port}/</code> with the token "
            "the call returns;</li>"
            "<li>or tunnel the port over SSH from your own machine: "
            f"<code>ssh -N -L {port}:127.0.0.1:{port} you@the-server</code>, then open "
            f"<code>{escape(url + page)}</code>.</li></ul></details>"
        )
    return "\n".join(lines)
