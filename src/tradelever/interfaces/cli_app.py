"""The ``tradelever`` typer application and the helpers every command uses.

Each command is a thin function: parse options, call :mod:`tradelever.api`, render. The
root callback resolves one :class:`~tradelever.config.Config` per invocation (``--data-dir``
> ``$TRADELEVER_DATA_DIR`` > default) and keeps it, with ``--debug``, on the typer context
(``ctx.obj``): there is no module-level state. Errors raised on purpose
(:class:`tradelever.errors.TradeleverError`) become one line on stderr and exit code 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import typer
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from tradelever import __version__
from tradelever.config import ENV_DATA_DIR, Config
from tradelever.errors import TradeleverError
from tradelever.interfaces.output import OutputFormat, console, dump_json, frame_to_csv
from tradelever.options import Analysis, Option

#: Commands registered on first use: name -> (module under ``tradelever.interfaces``, the
#: one-line help shown by ``tradelever --help``). ``tradelever --help`` and ``--version``
#: import none of them (nor pandas, Ibis or DuckDB); running a command imports its module.
#: Filled by :mod:`tradelever.interfaces.cli`.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {}


class LazyGroup(TyperGroup):
    """The root command group: each command's module is imported when the command runs.

    ``tradelever --help`` lists :data:`LAZY_COMMANDS` with their one-line help without
    importing their modules; resolving a command to run it (or to show its own help)
    imports its module, which registers the command on :data:`app`.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        """Command names in the order of :data:`LAZY_COMMANDS`, then any others."""
        loaded = [name for name in super().list_commands(ctx) if name not in LAZY_COMMANDS]
        return [*LAZY_COMMANDS, *loaded]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command if loaded, else a placeholder carrying its help (for ``--help``)."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        _, help_text = LAZY_COMMANDS[cmd_name]
        return TyperCommand(cmd_name, help=help_text, short_help=help_text)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Import the module of the command about to run, then resolve it."""
        if args and args[0] in LAZY_COMMANDS and args[0] not in self.commands:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def load(self, name: str) -> Any:
        """Import the module of command ``name`` and add the command it registers."""
        import importlib

        module, _ = LAZY_COMMANDS[name]
        importlib.import_module(f"tradelever.interfaces.{module}")
        built: Any = typer.main.get_command(app)  # the root group, commands imported so far
        for command_name, command in built.commands.items():
            self.commands.setdefault(command_name, command)
        return self.commands[name]


app = typer.Typer(
    cls=LazyGroup,
    name="tradelever",
    help="Turn bilateral trade data into negotiating power: leverage points, exposure, "
    "tariff scenarios and sourced briefs. Runs offline on the embedded OECD ICIO 2022 "
    "network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CliState:
    """What the root options decide for one invocation: the configuration and ``--debug``."""

    config: Config
    debug: bool = False


def cli_state(ctx: typer.Context | None) -> CliState:
    """The invocation's :class:`CliState` (from the root context; defaults if absent)."""
    root = ctx.find_root() if ctx is not None else None
    obj = root.obj if root is not None else None
    return obj if isinstance(obj, CliState) else CliState(Config.resolve())


def cli_config(ctx: typer.Context) -> Config:
    """The invocation's configuration."""
    return cli_state(ctx).config


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tradelever {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help=f"Data directory (default: ${ENV_DATA_DIR}, else the platform's user data "
            "folder).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Where queries run: duckdb (this process) or spark (Apache Spark; default: "
            "$TRADELEVER_ENGINE, else duckdb).",
            show_default=False,
        ),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL with --engine spark: local[*] (default), "
            "spark://host:7077, yarn, k8s://...",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn bilateral trade data into negotiating power."""
    try:
        config = Config.resolve(data_dir=data_dir, engine=engine, spark_master=spark_master)
    except TradeleverError as exc:
        console(stderr=True).print(error_line(exc, ctx), highlight=False)
        raise typer.Exit(code=1) from None
    ctx.obj = CliState(config, debug)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING)
    from tradelever.sources.redaction import RedactingFilter

    # Keys never reach the terminal, with or without --debug: every record of every
    # logger passes through the filter before it is printed.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def flag_of(parameter: str, ctx: typer.Context | None) -> str:
    """The command-line spelling of a parameter: ``partner`` -> ``--partner``, ``home`` -> ``HOME``.

    Looked up among the parameters of the running command (then its parents), so that a
    library error names the option the user typed (``workers`` -> ``--sessions``); a
    parameter the command does not have keeps its Python spelling.
    """
    while ctx is not None:
        for param in ctx.command.params:
            if param.name != parameter:
                continue
            if param.param_type_name == "option":
                longs = [o for o in param.opts if o.startswith("--")]
                return longs[0] if longs else param.opts[0]
            return str(getattr(param, "metavar", None) or param.name.upper())
        ctx = ctx.parent
    return parameter


def error_line(exc: TradeleverError, ctx: typer.Context | None = None) -> Text:
    """The one-line message of an error, parameters spelled as the command's flags.

    A :class:`rich.text.Text`, so that text from data files or user input (``[/bold]``) is
    printed as it is, never read as markup.
    """
    return Text.assemble(("error:", "bold red"), " ", exc.describe(lambda p: flag_of(p, ctx)))


_CTX = "_tradelever_ctx"


def handle_errors(func: F) -> F:
    """Turn TradeleverError into a one-line message on stderr and exit code 1.

    The wrapper asks typer for the command's context (a hidden parameter) to spell the
    parameter at fault as the flag the user typed.
    """
    signature = inspect.signature(func, eval_str=True)
    own = "ctx" in signature.parameters  # the command takes the context itself
    hidden = inspect.Parameter(_CTX, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx") if own else kwargs.pop(_CTX, None)
        try:
            return func(*args, **kwargs)
        except TradeleverError as exc:
            if cli_state(ctx).debug:
                raise
            console(stderr=True).print(error_line(exc, ctx), highlight=False)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            if cli_state(ctx).debug:
                raise
            console(stderr=True).print("interrupted", markup=False, highlight=False)
            raise typer.Exit(code=130) from None

    if not own:
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), hidden]
        )
    return wrapper  # type: ignore[return-value]


def session(ctx: typer.Context) -> Any:
    """A Session on the invocation's configuration (embedded data prepared on first use).

    Its store is pinned for the rest of the command (:meth:`Store.snapshot`): every table
    the command reads comes from the version of its data set current when first read,
    even if an ingest publishes a new one meanwhile.
    """
    from tradelever.session import Session
    from tradelever.sources import icio
    from tradelever.store import Store

    config = cli_config(ctx)
    store = Store(config.data_dir)
    if not store.has(icio.DATASET_NAME):
        with console(stderr=True).status(
            "Preparing the embedded OECD ICIO 2022 network (first run only)..."
        ):
            from tradelever.store.embedded import ensure_icio

            ensure_icio(store)  # the others are small; Session prepares them
    opened = Session(config=config)
    ctx.with_resource(opened.store.snapshot())
    return opened


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


def emit_data(result: Any, fmt: OutputFormat, top: int | None, *, table_top: int = 20) -> Any:
    """Print a result as JSON or CSV, or hand it back for a table.

    ``top`` rows are kept (default: all for JSON and CSV, ``table_top`` for a table).
    Returns None when the result was printed, else the result cut to the table's rows.
    """
    if top is None and fmt is OutputFormat.table:
        top = table_top
    result = result.head(top)
    if fmt is OutputFormat.json:
        typer.echo(dump_json(result.to_dict()))
        return None
    if fmt is OutputFormat.csv:
        typer.echo(frame_to_csv(result.to_frame()), nl=False)
        return None
    return result


# -- commands from the options registry -----------------------------------------------------
def _cli_type(option: Option) -> Any:
    """The type typer sees: Literal -> str (checked by the library), path-like -> Path."""
    annotation = option.cli_annotation or option.annotation
    optional = get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(
        annotation
    )
    if option.choices is not None:
        return str | None if optional else str
    if get_origin(annotation) in (Union, types.UnionType) and os.PathLike in [
        get_origin(a) or a for a in get_args(annotation)
    ]:
        return Path | None if optional else Path
    return annotation


def option_parameter(option: Option) -> inspect.Parameter:
    """A typer parameter declared from an :class:`~tradelever.options.Option`."""
    help_text = option.help
    if option.choices is not None and "|" not in help_text:
        help_text += f" One of {', '.join(option.choices)}."
    if option.argument:
        info: Any = typer.Argument(help=help_text, show_default=False)
    else:
        names = [option.flag_name, *([option.short] if option.short else [])]
        info = typer.Option(*names, help=help_text, show_default=not option.required)
    default = inspect.Parameter.empty if option.required else option.default
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[_cli_type(option), info],
    )


def top_parameter(table_top: int = 20) -> inspect.Parameter:
    """``--top/-n``: rows to show (table default ``table_top``; json/csv default all)."""
    info = typer.Option(
        "--top",
        "-n",
        min=0,
        help=f"Show the top N rows (table default {table_top}; json/csv default all; 0 = all).",
    )
    return inspect.Parameter(
        "top", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[int | None, info]
    )


def format_parameter() -> inspect.Parameter:
    """``--format/-f``: table, json or csv."""
    return inspect.Parameter(
        "fmt", inspect.Parameter.KEYWORD_ONLY, default=OutputFormat.table, annotation=FormatOption
    )


def analysis_command(
    target: typer.Typer,
    analysis: Analysis,
    render: Callable[[Any, OutputFormat, int | None, dict[str, Any]], None],
    *,
    help: str,
    name: str | None = None,
    table_top: int | None = 20,
    call: Callable[[typer.Context, dict[str, Any]], Any] | None = None,
    extra: Sequence[inspect.Parameter] = (),
    formats: bool = True,
) -> Callable[..., None]:
    """Register a command whose options are the analysis' options (plus --top and --format).

    The command calls ``Session.<analysis.name>(**options)`` (or ``call(ctx, given)``) and
    hands the result to ``render(result, fmt, top, given)``, ``given`` being every option as
    given (the ``extra`` ones too; they go to ``call`` and ``render``, not to the Session).
    Parameter names are the options' Python names, so a library error's ``parameter`` maps
    to its flag.
    """
    params = [
        inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context),
        *(option_parameter(o) for o in analysis.options if o.cli),
        *extra,
    ]
    if table_top is not None:
        params.append(top_parameter(table_top))
    if formats:
        params.append(format_parameter())
    extras = {p.name for p in extra}

    def command(**kwargs: Any) -> None:
        ctx = kwargs.pop("ctx")
        fmt = kwargs.pop("fmt", OutputFormat.table)
        top = kwargs.pop("top", None)
        given = dict(kwargs)
        if call is not None:
            result = call(ctx, given)
        else:
            options = {k: v for k, v in given.items() if k not in extras}
            result = getattr(session(ctx), analysis.name)(**options)
        render(result, fmt, top, given)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = help
    command.__name__ = f"{analysis.name}_cmd"
    command.__qualname__ = command.__name__
    wrapped = handle_errors(command)
    target.command(name or analysis.command)(wrapped)
    return wrapped
