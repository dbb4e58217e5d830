# JupyterLab's terminal is a login shell, and Debian's /etc/profile resets PATH:
# put the image's Python environment (python, pip, nbgrader, jupyter) first
# again, so the commands README gives work as typed.
case ":$PATH:" in
    *:/opt/venv/bin:*) ;;
    *) PATH="/opt/venv/bin:$PATH" ;;
esac
export PATH
