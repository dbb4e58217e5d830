"""Code the grading runner sends to the kernel around a learner's cells.

SNAPSHOT runs before any learner cell and keeps pristine copies of what the
usual forgery tricks replace; RESTORE runs before every test cell and puts
them back: builtins (AssertionError, print, len, ...), sys.excepthook and
displayhook, std streams, IPython's traceback display, its input/AST
transformers and event callbacks, IPython/ipykernel execution methods
patched on the instance or the class, and modules a learner added or
replaced in sys.modules (so a test's `import helper` gets the real one).

This is defence in depth, not a proof: the answer runs in the same process
and can reach anything, including this snapshot (kept under a random name)
or ipykernel's message handling. The verdict itself comes from the reply
status and the token (grading_status.py); docs/security.md lists what is left.
"""

SNAPSHOT = r'''
def __bk_snapshot():
    import builtins, sys
    ip = get_ipython()
    kernel = getattr(ip, "kernel", None)
    classes = [c for c in type(ip).__mro__ if c is not object]
    if kernel is not None:
        classes += [c for c in type(kernel).__mro__ if c is not object]
    names = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
             "_run_cell", "run_ast_nodes", "run_code", "transform_cell", "transform_ast",
             "do_execute", "execute_request", "send_response", "should_run_async")
    state = {
        "builtins": dict(builtins.__dict__),
        "sys": {n: getattr(sys, n) for n in ("excepthook", "displayhook", "stdout", "stderr",
                                             "settrace", "setprofile", "exit")},
        "modules": dict(sys.modules),
        "ast": list(ip.ast_transformers),
        "post": list(ip.input_transformers_post),
        "cleanup": list(ip.input_transformer_manager.cleanup_transforms),
        "line": list(ip.input_transformer_manager.line_transforms),
        "token": list(ip.input_transformer_manager.token_transformers),
        "events": {k: list(v) for k, v in ip.events.callbacks.items()},
        "classes": [(c, {n: c.__dict__[n] for n in names if n in c.__dict__}) for c in classes],
    }

    def restore():
        sys.settrace(None)
        sys.setprofile(None)
        builtins.__dict__.clear()
        builtins.__dict__.update(state["builtins"])
        for n, v in state["sys"].items():
            setattr(sys, n, v)
        for n in list(sys.modules):
            if n not in state["modules"]:
                del sys.modules[n]
        sys.modules.update(state["modules"])
        for n in names:
            for obj in (ip, kernel):
                if obj is not None:
                    obj.__dict__.pop(n, None)
        for c, methods in state["classes"]:
            for n in names:
                if n in c.__dict__ and n not in methods:
                    delattr(c, n)
            for n, v in methods.items():
                setattr(c, n, v)
        ip.ast_transformers[:] = state["ast"]
        ip.input_transformers_post[:] = state["post"]
        ip.input_transformer_manager.cleanup_transforms[:] = state["cleanup"]
        ip.input_transformer_manager.line_transforms[:] = state["line"]
        ip.input_transformer_manager.token_transformers[:] = state["token"]
        ip.events.callbacks.clear()
        ip.events.callbacks.update({k: list(v) for k, v in state["events"].items()})

    return restore
import sys as __bk_sys
setattr(__bk_sys, NAME, __bk_snapshot())
del __bk_snapshot, __bk_sys
'''

RESTORE = "__import__('sys').__dict__[NAME]()"


def snapshot_code(name: str) -> str:
    return SNAPSHOT.replace("NAME", repr(name))


def restore_code(name: str) -> str:
    return RESTORE.replace("NAME", repr(name))
