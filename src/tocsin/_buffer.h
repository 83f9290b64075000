/* Shared by tocsin's optional C extensions: a checked view of a numpy array (or any
 * buffer). Included, not linked: each extension is its own shared library. */
#ifndef TOCSIN_BUFFER_H
#define TOCSIN_BUFFER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* A C-contiguous view of ``o`` whose item format is one of the characters in ``formats``
 * (a byte-order prefix "<", "=" or "@" is allowed) and, unless ``item`` is 0, whose items
 * are ``item`` bytes; writable if asked. On failure: an exception set (TypeError naming
 * ``what``), nothing held, -1. */
static int
tocsin_buffer(PyObject *o, Py_buffer *view, int writable, const char *formats,
              Py_ssize_t item, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(o, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@')
        f++;
    if (f[0] == '\0' || f[1] != '\0' || strchr(formats, f[0]) == NULL
            || (item != 0 && view->itemsize != item)) {
        PyErr_Format(PyExc_TypeError, "%s: unexpected item type '%s'", what, view->format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

#endif
