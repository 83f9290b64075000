/* py3langid's feature automaton walked in C, for ``language._BatchIdentifier``.
 *
 * ``walk(encoded, nextmove, rowbase, output, n_features)``: for each bytes object of the list ``encoded``,
 * the dict {feature: count} of the features its walk visits, in first-visit order: the twin
 * of ``Counter(feats)`` over ``_BatchIdentifier._walk`` (numpy) and of py3langid's own
 * ``visit_counts``: from state 0, for each byte ``state = nextmove[rowbase[state] + byte]``,
 * and ``output[state]``, when not negative, is a feature visited (below ``n_features``). ``nextmove`` is uint32,
 * ``rowbase`` and ``output`` int64, as the identifier holds them. The dicts go to
 * py3langid's own scoring code, unchanged. Optional: where it is not built, numpy walks.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "../_buffer.h"

/* Texts walked together, one byte of each in turn: every step of a walk is a load from the
 * 39 MB ``nextmove`` table that depends on the step before, so a text walked alone waits on
 * memory at each byte; the steps of different texts are independent and their loads
 * overlap (about 8x faster than one text after the other). */
#define GROUP 32

static PyObject *
walk(PyObject *self, PyObject *args)
{
    PyObject *texts, *nmo, *rbo, *outo;
    Py_ssize_t n_feats;
    if (!PyArg_ParseTuple(args, "O!OOOn", &PyList_Type, &texts, &nmo, &rbo, &outo, &n_feats))
        return NULL;
    if (n_feats < 0) {
        PyErr_SetString(PyExc_ValueError, "walk: n_features must not be negative");
        return NULL;
    }
    Py_buffer nmb, rbb, ob;
    if (tocsin_buffer(nmo, &nmb, 0, "IL", 4, "nextmove") < 0)
        return NULL;
    if (tocsin_buffer(rbo, &rbb, 0, "qlL", 8, "rowbase") < 0) {
        PyBuffer_Release(&nmb);
        return NULL;
    }
    if (tocsin_buffer(outo, &ob, 0, "qlL", 8, "output") < 0) {
        PyBuffer_Release(&nmb);
        PyBuffer_Release(&rbb);
        return NULL;
    }
    const uint32_t *nm = nmb.buf;
    const int64_t *rb = rbb.buf, *out = ob.buf;
    Py_ssize_t n_nm = nmb.len / 4, n_states = rbb.len / 8;
    if (ob.len / 8 < n_states)
        n_states = ob.len / 8;
    Py_ssize_t n = PyList_GET_SIZE(texts), room = 0;
    /* the features each text of a group visits, in order: text g's from off[g], nf[g] of them */
    int64_t *visited = NULL, *counts = NULL;
    /* where each feature is among a text's distinct ones, -1 when not visited (reset after
     * each text for the features it visited) */
    Py_ssize_t *where = PyMem_Malloc((size_t)(n_feats ? n_feats : 1) * sizeof(Py_ssize_t));
    PyObject *result = where ? PyList_New(n) : PyErr_NoMemory();
    if (result == NULL)
        goto fail;
    for (Py_ssize_t f = 0; f < n_feats; f++)
        where[f] = -1;
    for (Py_ssize_t start = 0; start < n; start += GROUP) {
        int m = (int)(n - start < GROUP ? n - start : GROUP);
        const unsigned char *s[GROUP];
        Py_ssize_t len[GROUP], off[GROUP], nf[GROUP], total = 0, longest = 0;
        int64_t state[GROUP];
        for (int g = 0; g < m; g++) {
            PyObject *t = PyList_GET_ITEM(texts, start + g);
            if (!PyBytes_Check(t)) {
                PyErr_SetString(PyExc_TypeError, "walk: texts must be bytes");
                goto fail;
            }
            s[g] = (const unsigned char *)PyBytes_AS_STRING(t);
            len[g] = PyBytes_GET_SIZE(t);
            off[g] = total;
            nf[g] = 0;
            state[g] = 0;
            total += len[g];
            if (len[g] > longest)
                longest = len[g];
        }
        if (total > room) {
            int64_t *nv = PyMem_Realloc(visited, (size_t)total * sizeof(int64_t));
            if (nv == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            visited = nv;
            int64_t *nc = PyMem_Realloc(counts, (size_t)total * sizeof(int64_t));
            if (nc == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            counts = nc;
            room = total;
        }
        for (Py_ssize_t p = 0; p < longest; p++) {
            for (int g = 0; g < m; g++) {
                if (p >= len[g])
                    continue;
                int64_t st = state[g];
                if (st < 0 || st >= n_states || rb[st] < 0 || rb[st] + s[g][p] >= n_nm)
                    goto out_of_tables;
                st = nm[rb[st] + s[g][p]];
                if (st >= n_states)
                    goto out_of_tables;
                state[g] = st;
                if (p + 1 < len[g] && rb[st] >= 0)  /* this text's next step, meanwhile */
                    __builtin_prefetch(nm + rb[st] + s[g][p + 1]);
                int64_t f = out[st];
                if (f >= 0) {
                    if (f >= n_feats) {
                        PyErr_SetString(PyExc_IndexError, "walk: a feature beyond n_features");
                        goto fail;
                    }
                    visited[off[g] + nf[g]++] = f;
                }
            }
        }
        for (int g = 0; g < m; g++) {
            /* distinct features in first-visit order, written over the visits themselves */
            int64_t *v = visited + off[g], *c = counts + off[g];
            Py_ssize_t k = 0;
            for (Py_ssize_t j = 0; j < nf[g]; j++) {
                int64_t f = v[j];
                if (where[f] < 0) {
                    where[f] = k;
                    v[k] = f;
                    c[k++] = 1;
                }
                else
                    c[where[f]]++;
            }
            for (Py_ssize_t j = 0; j < k; j++)
                where[v[j]] = -1;
            PyObject *d = PyDict_New();
            if (d == NULL)
                goto fail;
            PyList_SET_ITEM(result, start + g, d);
            for (Py_ssize_t j = 0; j < k; j++) {
                PyObject *key = PyLong_FromLongLong(v[j]);
                PyObject *val = key ? PyLong_FromLongLong(c[j]) : NULL;
                int err = val ? PyDict_SetItem(d, key, val) : -1;
                Py_XDECREF(key);
                Py_XDECREF(val);
                if (err < 0)
                    goto fail;
            }
        }
    }
    PyMem_Free(where);
    PyMem_Free(visited);
    PyMem_Free(counts);
    PyBuffer_Release(&nmb);
    PyBuffer_Release(&rbb);
    PyBuffer_Release(&ob);
    return result;
out_of_tables:
    PyErr_SetString(PyExc_IndexError, "walk: the automaton leaves its tables");
fail:
    Py_XDECREF(result);
    PyMem_Free(where);
    PyMem_Free(visited);
    PyMem_Free(counts);
    PyBuffer_Release(&nmb);
    PyBuffer_Release(&rbb);
    PyBuffer_Release(&ob);
    return NULL;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS, "Feature counts of each text's automaton walk."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_langwalk", "py3langid's feature automaton walked in C.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__langwalk(void)
{
    return PyModule_Create(&module);
}
