/* The detector's hot loop in C: idf-weighted overlap of one report with the clusters that
 * share its features. A line-for-line twin of ``scoring.accumulate_py`` (see that function
 * for the meaning): same operations in the same order, so the sums are bit-identical and
 * the result dict has the same insertion order. Optional: tocsin runs without it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

static PyObject *terms_name; /* interned "terms" */

static int
as_double(PyObject *o, double *out)
{
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    *out = d;
    return 0;
}

/* The clusters met in one call: slot per cluster, found by pointer (open addressing). */
typedef struct {
    PyObject **cluster;  /* borrowed: the posting dicts hold them for the call */
    PyObject **terms;    /* new references */
    double *sum;
    Py_ssize_t *first;   /* order of the first non-zero term (-1: none yet) */
    Py_ssize_t *index;   /* hash -> slot + 1 (0: empty) */
    Py_ssize_t n, cap, mask, n_seen;
    Py_ssize_t *order;   /* slots in first-non-zero order */
} Table;

static void
table_free(Table *t)
{
    for (Py_ssize_t i = 0; i < t->n; i++)
        Py_XDECREF(t->terms[i]);
    PyMem_Free(t->cluster);
    PyMem_Free(t->terms);
    PyMem_Free(t->sum);
    PyMem_Free(t->first);
    PyMem_Free(t->index);
    PyMem_Free(t->order);
}

static int
table_init(Table *t, Py_ssize_t cap)
{
    memset(t, 0, sizeof(*t));
    t->cap = cap;
    t->mask = 2 * cap - 1;
    t->cluster = PyMem_Malloc(cap * sizeof(PyObject *));
    t->terms = PyMem_Malloc(cap * sizeof(PyObject *));
    t->sum = PyMem_Malloc(cap * sizeof(double));
    t->first = PyMem_Malloc(cap * sizeof(Py_ssize_t));
    t->order = PyMem_Malloc(cap * sizeof(Py_ssize_t));
    t->index = PyMem_Calloc(2 * cap, sizeof(Py_ssize_t));
    if (!t->cluster || !t->terms || !t->sum || !t->first || !t->order || !t->index) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int
table_grow(Table *t)
{
    Table u;
    if (table_init(&u, t->cap * 2) < 0) {
        table_free(&u);
        return -1;
    }
    for (Py_ssize_t i = 0; i < t->n; i++) {
        u.cluster[i] = t->cluster[i];
        u.terms[i] = t->terms[i];
        u.sum[i] = t->sum[i];
        u.first[i] = t->first[i];
        size_t h = ((size_t)t->cluster[i] >> 4) & u.mask;
        while (u.index[h])
            h = (h + 1) & u.mask;
        u.index[h] = i + 1;
    }
    memcpy(u.order, t->order, t->n_seen * sizeof(Py_ssize_t));
    u.n = t->n;
    u.n_seen = t->n_seen;
    t->n = 0; /* references moved */
    table_free(t);
    *t = u;
    return 0;
}

/* the slot of cluster c, added (with its terms dict) when new; -1 on error */
static Py_ssize_t
table_slot(Table *t, PyObject *c)
{
    size_t h = ((size_t)c >> 4) & t->mask;
    Py_ssize_t s;
    while ((s = t->index[h]) != 0) {
        if (t->cluster[s - 1] == c)
            return s - 1;
        h = (h + 1) & t->mask;
    }
    if (t->n == t->cap) {
        if (table_grow(t) < 0)
            return -1;
        return table_slot(t, c);
    }
    PyObject *terms = PyObject_GetAttr(c, terms_name);
    if (terms == NULL)
        return -1;
    if (!PyDict_Check(terms)) {
        Py_DECREF(terms);
        PyErr_SetString(PyExc_TypeError, "a cluster's terms must be a dict");
        return -1;
    }
    s = t->n++;
    t->cluster[s] = c;
    t->terms[s] = terms;
    t->sum[s] = 0.0;
    t->first[s] = -1;
    t->index[h] = s + 1;
    return s;
}

static PyObject *
accumulate(PyObject *self, PyObject *args)
{
    PyObject *feats, *df, *posts;
    double num, g_bg, cap;
    if (!PyArg_ParseTuple(args, "O!O!dddO!", &PyDict_Type, &feats, &PyDict_Type, &df, &num,
                          &g_bg, &cap, &PyTuple_Type, &posts))
        return NULL;
    Py_ssize_t n_posts = PyTuple_GET_SIZE(posts);
    for (Py_ssize_t i = 0; i < n_posts; i++) {
        if (!PyDict_Check(PyTuple_GET_ITEM(posts, i))) {
            PyErr_SetString(PyExc_TypeError, "posting indexes must be dicts");
            return NULL;
        }
    }
    Table t;
    if (table_init(&t, 64) < 0) {
        table_free(&t);
        return NULL;
    }
    PyObject *acc = NULL;
    double denom = 0.0;
    Py_ssize_t pos = 0;
    PyObject *w, *kobj;
    while (PyDict_Next(feats, &pos, &w, &kobj)) {
        double k, dfv = 0.0;
        if (as_double(kobj, &k) < 0)
            goto fail;
        PyObject *dfo = PyDict_GetItemWithError(df, w);
        if (dfo == NULL && PyErr_Occurred())
            goto fail;
        if (dfo != NULL && as_double(dfo, &dfv) < 0)
            goto fail;
        double x = log(num / (dfv + g_bg)) + 1.0;
        x = k * (x < cap ? x : cap);
        denom += x;
        for (Py_ssize_t i = 0; i < n_posts; i++) {
            PyObject *post = PyDict_GetItemWithError(PyTuple_GET_ITEM(posts, i), w);
            if (post == NULL) {
                if (PyErr_Occurred())
                    goto fail;
                continue;
            }
            if (!PyDict_Check(post)) {
                PyErr_SetString(PyExc_TypeError, "a posting list must be a dict");
                goto fail;
            }
            Py_ssize_t ppos = 0;
            PyObject *cid, *c;
            while (PyDict_Next(post, &ppos, &cid, &c)) {
                Py_ssize_t s = table_slot(&t, c);
                if (s < 0)
                    goto fail;
                PyObject *vo = PyDict_GetItemWithError(t.terms[s], w);
                double v = 0.0;
                if (vo == NULL) {
                    if (PyErr_Occurred())
                        goto fail;
                    continue;
                }
                if (as_double(vo, &v) < 0)
                    goto fail;
                if (v == 0.0)
                    continue; /* (``if v:``: absent or zero) */
                if (t.first[s] < 0) {
                    t.first[s] = t.n_seen;
                    t.order[t.n_seen++] = s;
                }
                t.sum[s] = t.sum[s] + x * v;
            }
        }
    }
    acc = PyDict_New();
    if (acc == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < t.n_seen; i++) {
        Py_ssize_t s = t.order[i];
        PyObject *nv = PyFloat_FromDouble(t.sum[s]);
        if (nv == NULL || PyDict_SetItem(acc, t.cluster[s], nv) < 0) {
            Py_XDECREF(nv);
            goto fail;
        }
        Py_DECREF(nv);
    }
    table_free(&t);
    return Py_BuildValue("Nd", acc, denom);
fail:
    Py_XDECREF(acc);
    table_free(&t);
    return NULL;
}

static PyMethodDef methods[] = {
    {"accumulate", accumulate, METH_VARARGS,
     "accumulate(feats, df, num, g_bg, cap, posts) -> (acc, denom); see scoring.py"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_accumulate", "The detector's scoring loop, compiled.", -1, methods,
};

PyMODINIT_FUNC
PyInit__accumulate(void)
{
    terms_name = PyUnicode_InternFromString("terms");
    if (terms_name == NULL)
        return NULL;
    return PyModule_Create(&module);
}
