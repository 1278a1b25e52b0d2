"""The command line (typer, rich) over the library: the commands, the Vietnamese frame, console output, progress."""
