/* The detector's hot loops in C. ``accumulate``: idf-weighted overlap of one report with
 * the clusters that share its features, a line-for-line twin of ``scoring.accumulate_py``
 * (see that function for the meaning): same operations in the same order, so the sums are
 * bit-identical and the result dict has the same insertion order. ``add_weight``,
 * ``at_least`` and ``word_features``: the other loops run for every report (profile and
 * document-frequency updates, term cuts, a report's words), twins of the ``*_py``
 * functions in scoring.py. Optional: tocsin runs without it.
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

/* METH_FASTCALL argument checks: ``PyArg_ParseTuple`` costs about as much as one of these
 * short loops, and they run several times per report. Same rules as its "O!" and "d". */
static int
nargs_ok(const char *fname, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd arguments (%zd given)", fname, want,
                 nargs);
    return 0;
}

static int
type_ok(const char *fname, PyObject *o, PyTypeObject *tp)
{
    if (PyObject_TypeCheck(o, tp))
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() argument must be %.50s, not %.50s", fname, tp->tp_name,
                 Py_TYPE(o)->tp_name);
    return 0;
}

static PyObject *
accumulate(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *feats, *df, *posts;
    double num, g_bg, cap;
    if (!nargs_ok("accumulate", nargs, 6))
        return NULL;
    feats = args[0];
    df = args[1];
    posts = args[5];
    if (!type_ok("accumulate", feats, &PyDict_Type) || !type_ok("accumulate", df, &PyDict_Type)
        || !type_ok("accumulate", posts, &PyTuple_Type))
        return NULL;
    if (as_double(args[2], &num) < 0 || as_double(args[3], &g_bg) < 0
        || as_double(args[4], &cap) < 0)
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
    acc = _PyDict_NewPresized(t.n_seen); /* (no resizing while it is filled) */
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

/* ---- the detector's other per-report loops (twins in scoring.py: ``*_py``) ------------ */

/* the float ``old + g`` as Python computes it (``old`` a float: the common case, inline) */
static PyObject *
add_float(PyObject *old, PyObject *gobj, double g)
{
    if (old == NULL)
        return PyFloat_FromDouble(0.0 + g); /* ``table.get(w, 0.0) + g`` */
    if (PyFloat_CheckExact(old))
        return PyFloat_FromDouble(PyFloat_AS_DOUBLE(old) + g);
    return PyNumber_Add(old, gobj); /* (an int from an old snapshot: Python's rules) */
}

/* add_weight(table, keys, g) -> the keys that were new to ``table``, in order:
 * ``for w in keys: table[w] = table.get(w, 0.0) + g`` */
static PyObject *
add_weight(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("add_weight", nargs, 3))
        return NULL;
    PyObject *table = args[0], *keys = args[1], *gobj = args[2];
    if (!type_ok("add_weight", table, &PyDict_Type) || !type_ok("add_weight", keys, &PyDict_Type))
        return NULL;
    double g = PyFloat_AsDouble(gobj);
    if (g == -1.0 && PyErr_Occurred())
        return NULL;
    PyObject *fresh = PyList_New(0);
    if (fresh == NULL)
        return NULL;
    Py_ssize_t pos = 0;
    PyObject *w, *unused;
    while (PyDict_Next(keys, &pos, &w, &unused)) {
        PyObject *old = PyDict_GetItemWithError(table, w);
        if (old == NULL && (PyErr_Occurred() || PyList_Append(fresh, w) < 0))
            goto fail;
        PyObject *nv = add_float(old, gobj, g);
        if (nv == NULL)
            goto fail;
        int rc = PyDict_SetItem(table, w, nv);
        Py_DECREF(nv);
        if (rc < 0)
            goto fail;
    }
    return fresh;
fail:
    Py_DECREF(fresh);
    return NULL;
}

/* at_least(terms, cut): ``[(w, v) for w, v in terms.items() if v >= cut]`` */
static PyObject *
at_least(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("at_least", nargs, 2))
        return NULL;
    PyObject *terms = args[0], *cutobj = args[1];
    if (!type_ok("at_least", terms, &PyDict_Type))
        return NULL;
    int cut_float = PyFloat_CheckExact(cutobj);
    double cut = cut_float ? PyFloat_AS_DOUBLE(cutobj) : 0.0;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t pos = 0;
    PyObject *w, *v;
    while (PyDict_Next(terms, &pos, &w, &v)) {
        int keep;
        if (cut_float && PyFloat_CheckExact(v))
            keep = PyFloat_AS_DOUBLE(v) >= cut;
        else if ((keep = PyObject_RichCompareBool(v, cutobj, Py_GE)) < 0)
            goto fail;
        if (!keep)
            continue;
        PyObject *item = PyTuple_Pack(2, w, v);
        if (item == NULL)
            goto fail;
        int rc = PyList_Append(out, item);
        Py_DECREF(item);
        if (rc < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* word_features(tokens, cache, limit, compute, one): features.word_features' loop —
 * ``fs = cache.get(t)``, on a miss ``fs = compute(t)`` (kept when the cache is under
 * ``limit``), then ``out[w] = one`` for each w in fs */
static PyObject *
word_features(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("word_features", nargs, 5))
        return NULL;
    PyObject *tokens = args[0], *cache = args[1], *compute = args[3], *one = args[4];
    if (!type_ok("word_features", tokens, &PyList_Type)
        || !type_ok("word_features", cache, &PyDict_Type))
        return NULL;
    Py_ssize_t limit = PyNumber_AsSsize_t(args[2], PyExc_OverflowError);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    /* sized for a word per token up front: growing it step by step rebuilt it twice per
     * report (same contents, same order either way) */
    PyObject *out = _PyDict_NewPresized(PyList_GET_SIZE(tokens));
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tokens); i++) {
        PyObject *t = PyList_GET_ITEM(tokens, i);
        Py_INCREF(t); /* (``compute`` may run any code, the list included) */
        PyObject *fs = PyDict_GetItemWithError(cache, t);
        if (fs != NULL) {
            Py_INCREF(fs);
        } else {
            if (PyErr_Occurred()) {
                Py_DECREF(t);
                goto fail;
            }
            fs = PyObject_CallOneArg(compute, t);
            if (fs == NULL || (PyDict_GET_SIZE(cache) < limit
                               && PyDict_SetItem(cache, t, fs) < 0)) {
                Py_XDECREF(fs);
                Py_DECREF(t);
                goto fail;
            }
        }
        Py_DECREF(t);
        if (!PyTuple_CheckExact(fs)) {
            Py_DECREF(fs);
            PyErr_SetString(PyExc_TypeError, "a token's features must be a tuple");
            goto fail;
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(fs); j++) {
            if (PyDict_SetItem(out, PyTuple_GET_ITEM(fs, j), one) < 0) {
                Py_DECREF(fs);
                goto fail;
            }
        }
        Py_DECREF(fs);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* index_terms(postings, words, cid, c, cap): OnlineDetector._index's loop — file cluster
 * ``c`` under each word (posting dict ``{cid: c}`` per word); with ``cap >= 0`` a posting
 * list keeps only its newest ``cap`` entries (the candidate index) */
static PyObject *
index_terms(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("index_terms", nargs, 5))
        return NULL;
    PyObject *postings = args[0], *words = args[1], *cid = args[2], *c = args[3];
    if (!type_ok("index_terms", postings, &PyDict_Type))
        return NULL;
    Py_ssize_t cap = PyNumber_AsSsize_t(args[4], PyExc_OverflowError);
    if (cap == -1 && PyErr_Occurred())
        return NULL;
    PyObject *it = PyObject_GetIter(words);
    if (it == NULL)
        return NULL;
    PyObject *w;
    while ((w = PyIter_Next(it)) != NULL) {
        PyObject *post = PyDict_GetItemWithError(postings, w);
        int rc;
        if (post == NULL) {
            if (PyErr_Occurred())
                goto fail;
            PyObject *fresh = PyDict_New();
            if (fresh == NULL)
                goto fail;
            rc = PyDict_SetItem(fresh, cid, c);
            if (rc == 0)
                rc = PyDict_SetItem(postings, w, fresh);
            Py_DECREF(fresh);
        } else if (!PyDict_Check(post)) {
            PyErr_SetString(PyExc_TypeError, "a posting list must be a dict");
            rc = -1;
        } else {
            Py_INCREF(post);
            rc = PyDict_SetItem(post, cid, c);
            if (rc == 0 && cap >= 0 && PyDict_GET_SIZE(post) > cap) {
                Py_ssize_t pos = 0; /* the oldest entry: ``del post[next(iter(post))]`` */
                PyObject *k, *v;
                if (PyDict_Next(post, &pos, &k, &v)) {
                    Py_INCREF(k);
                    rc = PyDict_DelItem(post, k);
                    Py_DECREF(k);
                }
            }
            Py_DECREF(post);
        }
        if (rc < 0)
            goto fail;
        Py_DECREF(w);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
fail:
    Py_DECREF(w);
    Py_DECREF(it);
    return NULL;
}

/* unindex_terms(postings, terms, cid): OnlineDetector._unindex's loop — take ``cid`` out of
 * the posting list of each of its words, dropping lists left empty */
static PyObject *
unindex_terms(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("unindex_terms", nargs, 3))
        return NULL;
    PyObject *postings = args[0], *terms = args[1], *cid = args[2];
    if (!type_ok("unindex_terms", postings, &PyDict_Type)
        || !type_ok("unindex_terms", terms, &PyDict_Type))
        return NULL;
    Py_ssize_t pos = 0;
    PyObject *w, *unused;
    while (PyDict_Next(terms, &pos, &w, &unused)) {
        PyObject *post = PyDict_GetItemWithError(postings, w);
        if (post == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        if (!PyDict_Check(post)) {
            PyErr_SetString(PyExc_TypeError, "a posting list must be a dict");
            return NULL;
        }
        /* ``post.pop(cid, None) is not None and not post``: a Cluster is never None */
        PyObject *had = PyDict_GetItemWithError(post, cid);
        if (had == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        int none = had == Py_None;
        Py_INCREF(post);
        int rc = PyDict_DelItem(post, cid);
        if (rc == 0 && !none && PyDict_GET_SIZE(post) == 0)
            rc = PyDict_DelItem(postings, w);
        Py_DECREF(post);
        if (rc < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"accumulate", (PyCFunction)(void (*)(void))accumulate, METH_FASTCALL,
     "accumulate(feats, df, num, g_bg, cap, posts) -> (acc, denom); see scoring.py"},
    {"add_weight", (PyCFunction)(void (*)(void))add_weight, METH_FASTCALL,
     "add_weight(table, keys, g) -> new keys; table[w] = table.get(w, 0.0) + g for w in keys"},
    {"at_least", (PyCFunction)(void (*)(void))at_least, METH_FASTCALL,
     "at_least(terms, cut) -> [(w, v) for w, v in terms.items() if v >= cut]"},
    {"word_features", (PyCFunction)(void (*)(void))word_features, METH_FASTCALL,
     "word_features(tokens, cache, limit, compute, one) -> dict; see scoring.py"},
    {"index_terms", (PyCFunction)(void (*)(void))index_terms, METH_FASTCALL,
     "index_terms(postings, words, cid, c, cap); see scoring.py"},
    {"unindex_terms", (PyCFunction)(void (*)(void))unindex_terms, METH_FASTCALL,
     "unindex_terms(postings, terms, cid); see scoring.py"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_accumulate", "The detector's per-report loops, compiled.", -1, methods,
};

PyMODINIT_FUNC
PyInit__accumulate(void)
{
    terms_name = PyUnicode_InternFromString("terms");
    if (terms_name == NULL)
        return NULL;
    return PyModule_Create(&module);
}
