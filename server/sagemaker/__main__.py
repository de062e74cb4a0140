"""`python -m server.sagemaker [serve]`: the container's entry point (SageMaker runs `serve`).

The engines are built by the composition root from the `TANDEM_*` settings, exactly as
the server builds them (the classifier trained from the catalogue and cached), then the app
listens on port 8080, as SageMaker expects.
"""

from __future__ import annotations

import sys

import uvicorn

PORT = 8080
"""The port SageMaker sends `/ping` and `/invocations` to."""


def main(argv: list[str]) -> int:
    """Load the engines and serve until stopped."""
    if argv and argv[0] != "serve":
        print(f"usage: python -m server.sagemaker [serve]; got {argv[0]!r}", file=sys.stderr)
        return 2
    from prompts.catalogue import load_catalogue
    from server.sagemaker.app import create_serving_app
    from wiring.serving import serving_engines

    classifier, sentiment = serving_engines(load_catalogue())
    app = create_serving_app(classifier, sentiment)
    uvicorn.run(app, host="0.0.0.0", port=PORT, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
