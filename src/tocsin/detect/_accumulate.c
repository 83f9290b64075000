/* The detector's hot loops in C. ``accumulate``: idf-weighted overlap of one report with
 * the clusters that share its features, a line-for-line twin of ``scoring.accumulate_py``
 * (see that function for the meaning): same operations in the same order, so the sums are
 * bit-identical and the result dict has the same insertion order. ``add_weight``,
 * ``at_least`` and ``word_features``: the other loops run for every report (profile and
 * document-frequency updates, term cuts, a report's words), twins of the ``*_py``
 * functions in scoring.py. ``best_match`` (with ``names_story`` and ``far``): the rest of
 * ``OnlineDetector._assign``, its walk over ``accumulate``'s sums with the penalties.
 * Optional: tocsin runs without it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>


static int
as_double(PyObject *o, double *out)
{
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    *out = d;
    return 0;
}

/* ---- a cluster's attributes, read through its class's slot descriptors -------------- */

/* ``PyObject_GetAttr`` finds the descriptor of a ``__slots__`` attribute in the class on
 * every call (≈ 160 instructions; these loops read several attributes of each of dozens
 * of clusters per report). ``Attrs`` keeps, for one class at a time, the data descriptor
 * each attribute name resolves to and calls it directly: the same object
 * ``PyObject_GetAttr`` returns. Any other object (a class that customises attribute
 * access, a name without a data descriptor) goes through ``PyObject_GetAttr``. */
enum {
    A_TERMS, A_N, A_LAST_G, A_STATUS, A_IDENTITY_PRIMARY, A_TOP_HAZARD, A_HAZARDS,
    A_HAZARD_TOTAL, A_MAIN_PLACE, A_LAST, A_IDENTITY, A_PLACES, A_UNIQUE_COUNT, N_ATTRS
};
static const char *attr_strs[N_ATTRS] = {
    "terms", "n", "last_g", "status", "identity_primary", "top_hazard", "hazards",
    "hazard_total", "main_place", "last", "identity", "places", "unique_count",
};
static PyObject *attr_names[N_ATTRS]; /* interned */

typedef struct {
    PyTypeObject *type;        /* the class the descriptors are for (NULL: none yet) */
    PyObject *descr[N_ATTRS];  /* new references; NULL: use PyObject_GetAttr */
} Attrs;

static void
attrs_clear(Attrs *a)
{
    for (int i = 0; i < N_ATTRS; i++)
        Py_CLEAR(a->descr[i]);
    a->type = NULL;
}

/* ``getattr(c, attr_strs[i])``: a new reference, or NULL with an exception set (``a``
 * NULL: no cache, for a single read) */
static PyObject *
attr_get(Attrs *a, PyObject *c, int i)
{
    if (a == NULL)
        return PyObject_GetAttr(c, attr_names[i]);
    PyTypeObject *tp = Py_TYPE(c);
    if (tp != a->type) {
        attrs_clear(a);
        a->type = tp;
        if (tp->tp_getattro == PyObject_GenericGetAttr) {
            for (int k = 0; k < N_ATTRS; k++) {
                PyObject *d = _PyType_Lookup(tp, attr_names[k]);
                if (d != NULL && Py_TYPE(d)->tp_descr_get != NULL
                    && Py_TYPE(d)->tp_descr_set != NULL) { /* (a data descriptor wins) */
                    Py_INCREF(d);
                    a->descr[k] = d;
                }
            }
        }
    }
    PyObject *d = a->descr[i];
    if (d != NULL)
        return Py_TYPE(d)->tp_descr_get(d, c, (PyObject *)tp);
    return PyObject_GetAttr(c, attr_names[i]);
}

/* ``c.terms``, which must be a dict: a new reference, or NULL with an exception set */
static PyObject *
cluster_terms(Attrs *a, PyObject *c)
{
    PyObject *terms = attr_get(a, c, A_TERMS);
    if (terms != NULL && !PyDict_Check(terms)) {
        Py_DECREF(terms);
        PyErr_SetString(PyExc_TypeError, "a cluster's terms must be a dict");
        return NULL;
    }
    return terms;
}

/* The clusters met in one call: slot per cluster, found by pointer (open addressing). */
typedef struct {
    Attrs attrs;         /* (their ``terms``) */
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
    attrs_clear(&t->attrs);
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
    PyObject *terms = cluster_terms(&t->attrs, c);
    if (terms == NULL)
        return -1;
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

/* profile_sum(keys, terms): ``sum of terms[w] for w in keys if w in terms`` — added one by
 * one from 0.0 in the keys' order, as the Python twin adds them (keys: a dict or a tuple) */
static PyObject *
profile_sum(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("profile_sum", nargs, 2))
        return NULL;
    PyObject *keys = args[0], *terms = args[1];
    if (!type_ok("profile_sum", terms, &PyDict_Type))
        return NULL;
    int is_dict = PyDict_Check(keys);
    if (!is_dict && !PyTuple_Check(keys)) {
        PyErr_SetString(PyExc_TypeError, "profile_sum: keys must be a dict or a tuple");
        return NULL;
    }
    double s = 0.0;
    Py_ssize_t pos = 0, i = 0;
    PyObject *w, *unused;
    for (;;) {
        if (is_dict) {
            if (!PyDict_Next(keys, &pos, &w, &unused))
                break;
        } else {
            if (i >= PyTuple_GET_SIZE(keys))
                break;
            w = PyTuple_GET_ITEM(keys, i++);
        }
        PyObject *vo = PyDict_GetItemWithError(terms, w);
        if (vo == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        double v;
        if (as_double(vo, &v) < 0)
            return NULL;
        s += v;
    }
    return PyFloat_FromDouble(s);
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

/* ---- best_match: the rest of OnlineDetector._assign (twin: scoring.best_match_py) ----- */

static PyObject *candidate_str, *closed_str; /* "candidate", "closed" */

/* a float attribute of ``c`` (any number, as Python's float arithmetic would take it) */
static int
attr_double(Attrs *a, PyObject *c, int i, double *out)
{
    PyObject *o = attr_get(a, c, i);
    if (o == NULL)
        return -1;
    int rc = as_double(o, out);
    Py_DECREF(o);
    return rc;
}

/* ``c.hazards[dh] >= share * c.hazard_total`` with Python's semantics (a Counter's
 * ``__missing__``, int/float comparison); -1 on error */
static int
hazard_dominates(Attrs *a, PyObject *c, PyObject *dh, PyObject *share)
{
    int rc = -1;
    PyObject *hazards = NULL, *k = NULL, *total = NULL, *cut = NULL;
    if ((hazards = attr_get(a, c, A_HAZARDS)) != NULL
        && (k = PyObject_GetItem(hazards, dh)) != NULL
        && (total = attr_get(a, c, A_HAZARD_TOTAL)) != NULL
        && (cut = PyNumber_Multiply(share, total)) != NULL)
        rc = PyObject_RichCompareBool(k, cut, Py_GE);
    Py_XDECREF(hazards);
    Py_XDECREF(k);
    Py_XDECREF(total);
    Py_XDECREF(cut);
    return rc;
}

/* the missing-anchor factor's input: ``c.terms.get(p, 0.0) / c.n``; -1 on error */
static int
anchor_share(Attrs *a, PyObject *c, PyObject *p, double *out)
{
    PyObject *terms = cluster_terms(a, c);
    if (terms == NULL)
        return -1;
    double v = 0.0, n;
    PyObject *vo = PyDict_GetItemWithError(terms, p);
    int rc = (vo == NULL && PyErr_Occurred()) || (vo != NULL && as_double(vo, &v) < 0) ? -1 : 0;
    Py_DECREF(terms);
    if (rc < 0 || attr_double(a, c, A_N, &n) < 0)
        return -1;
    if (n == 0.0) {
        PyErr_SetString(PyExc_ZeroDivisionError, "float division by zero");
        return -1;
    }
    *out = v / n;
    return 0;
}

/* ---- names_story and far (twins: scoring.names_story_py, scoring.far_py) ------------ */

static PyObject *tenth, *zero; /* the floats 0.1 and 0.0 */

/* ``e[0] >= k * c.unique_count`` (``op`` Py_GE) or ``e[0] < k * c.unique_count`` (Py_LT),
 * Python's int/float arithmetic and comparison; -1 on error */
static int
count_vs_share(Attrs *a, PyObject *c, PyObject *e, PyObject *k, int op)
{
    int rc = -1;
    PyObject *uc = NULL, *cut = NULL, *count = NULL;
    if ((uc = attr_get(a, c, A_UNIQUE_COUNT)) != NULL
        && (cut = PyNumber_Multiply(k, uc)) != NULL
        && (count = PySequence_GetItem(e, 0)) != NULL)
        rc = PyObject_RichCompareBool(count, cut, op);
    Py_XDECREF(uc);
    Py_XDECREF(cut);
    Py_XDECREF(count);
    return rc;
}

/* ``dict.get``-like lookup that requires a dict: a borrowed reference, or NULL (absent, or
 * an exception set) */
static PyObject *
dict_get(PyObject *d, PyObject *key, const char *what)
{
    if (!PyDict_Check(d)) {
        PyErr_Format(PyExc_TypeError, "%s must be a dict", what);
        return NULL;
    }
    return PyDict_GetItemWithError(d, key);
}

/* names_story: 1, 0, or -1 on error */
static int
names_story_impl(Attrs *a, PyObject *c, PyObject *feats)
{
    PyObject *ident = attr_get(a, c, A_IDENTITY), *places = NULL;
    if (ident == NULL)
        return -1;
    int rc = PyObject_Not(ident);
    if (rc != 0)
        goto done; /* no identity yet: anything may reshape it */
    if ((places = attr_get(a, c, A_PLACES)) == NULL) {
        rc = -1;
        goto done;
    }
    Py_ssize_t pos = 0;
    PyObject *w, *unused;
    while (rc == 0 && PyDict_Next(feats, &pos, &w, &unused)) {
        Py_INCREF(w);
        if ((rc = PySequence_Contains(ident, w)) == 0 && PyUnicode_Check(w)
            && PyUnicode_GET_LENGTH(w) >= 2 && PyUnicode_READ_CHAR(w, 0) == 'g'
            && PyUnicode_READ_CHAR(w, 1) == ':') {
            PyObject *gid = PyUnicode_Substring(w, 2, PyUnicode_GET_LENGTH(w));
            PyObject *e = gid ? dict_get(places, gid, "a cluster's places") : NULL;
            Py_XDECREF(gid);
            if (e == NULL)
                rc = PyErr_Occurred() ? -1 : 0;
            else if (e != Py_None) {
                Py_INCREF(e);
                rc = count_vs_share(a, c, e, tenth, Py_GE); /* one of its main places */
                Py_DECREF(e);
            }
        } else if (rc == 0 && !PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "feature names must be str");
            rc = -1;
        }
        Py_DECREF(w);
    }
done:
    Py_DECREF(ident);
    Py_XDECREF(places);
    return rc;
}

static PyObject *coarse;   /* geo.COARSE, imported at first use */
static double earth_km;    /* enrich.geoparse.geo.EARTH_RADIUS_KM, likewise */

static int
load_geo(void)
{
    if (coarse != NULL)
        return 0;
    PyObject *geo = PyImport_ImportModule("tocsin.detect.geo");
    PyObject *gp = geo ? PyImport_ImportModule("tocsin.enrich.geoparse.geo") : NULL;
    PyObject *set = geo ? PyObject_GetAttrString(geo, "COARSE") : NULL;
    PyObject *r = gp ? PyObject_GetAttrString(gp, "EARTH_RADIUS_KM") : NULL;
    int rc = set != NULL && r != NULL && as_double(r, &earth_km) == 0 ? 0 : -1;
    if (rc == 0) {
        coarse = set;
        set = NULL;
    }
    Py_XDECREF(geo);
    Py_XDECREF(gp);
    Py_XDECREF(set);
    Py_XDECREF(r);
    return rc;
}

/* libm's pow, called through a pointer the compiler cannot see through: GCC turns a
 * direct ``pow(y, 2.0)`` into ``y * y``, and glibc's pow is not always that (y = 0.33404…:
 * one ulp apart), while Python's ``y ** 2`` calls pow */
static double (*volatile libm_pow)(double, double) = pow;

/* geoparse.geo.haversine_km: the same libm calls, operations and order (math.radians is
 * ``x * (pi / 180)``, ``y ** 2`` is ``pow(y, 2.0)``) */
static int
haversine_km(PyObject *lat1o, PyObject *lon1o, PyObject *lat2o, PyObject *lon2o, double *out)
{
    static const double deg_to_rad = Py_MATH_PI / 180.0;
    double lat1, lon1, lat2, lon2;
    if (as_double(lat1o, &lat1) < 0 || as_double(lon1o, &lon1) < 0
        || as_double(lat2o, &lat2) < 0 || as_double(lon2o, &lon2) < 0)
        return -1;
    double p1 = lat1 * deg_to_rad, p2 = lat2 * deg_to_rad;
    double dp = p2 - p1, dl = (lon2 - lon1) * deg_to_rad;
    /* (Python's math raises where an argument is infinite or a square root negative; a
     * NaN goes through, as there) */
    if (isinf(dp) || isinf(dl) || isinf(p1) || isinf(p2)) {
        PyErr_SetString(PyExc_ValueError, "math domain error");
        return -1;
    }
    double h = libm_pow(sin(dp / 2), 2.0) + cos(p1) * cos(p2) * libm_pow(sin(dl / 2), 2.0);
    if (h < 0.0) {
        PyErr_SetString(PyExc_ValueError, "math domain error");
        return -1;
    }
    double r = sqrt(h);
    *out = 2 * earth_km * asin(r < 1.0 ? r : 1.0); /* (``min(1.0, r)``) */
    return 0;
}

/* a truthy ``x and y and x == y``; -1 on error */
static int
same_value(PyObject *x, PyObject *y)
{
    int t = PyObject_IsTrue(x);
    if (t > 0)
        t = PyObject_IsTrue(y);
    return t > 0 ? PyObject_RichCompareBool(x, y, Py_EQ) : t;
}

/* geo.near(spot, main, radius_km) for two 5-tuples (lat, lon, country, admin1, feature) */
static int
near(PyObject *const *s1, PyObject *const *s2, double radius_km)
{
    int t = same_value(s1[2], s2[2]);
    if (t > 0) {
        if ((t = PySet_Contains(coarse, s1[4])) != 0 || (t = PySet_Contains(coarse, s2[4])) != 0)
            return t;
        if ((t = same_value(s1[3], s2[3])) != 0)
            return t;
    }
    if (t < 0)
        return -1;
    if (s1[0] == Py_None || s1[1] == Py_None || s2[0] == Py_None || s2[1] == Py_None)
        return 0;
    double d;
    if (haversine_km(s1[0], s1[1], s2[0], s2[1], &d) < 0)
        return -1;
    return d <= radius_km;
}

/* far: 1, 0, or -1 on error */
static int
far_impl(Attrs *a, PyObject *pts, PyObject *c, double radius_km)
{
    if (load_geo() < 0)
        return -1;
    if (!PyList_Check(pts)) {
        PyErr_SetString(PyExc_TypeError, "far() pts must be a list");
        return -1;
    }
    int rc = -1, t; /* the answer, or -1 */
    PyObject *places = NULL, *key = NULL, *e = NULL, *main = NULL;
    if ((places = attr_get(a, c, A_PLACES)) == NULL
        || (key = attr_get(a, c, A_MAIN_PLACE)) == NULL || (t = PyObject_IsTrue(key)) < 0)
        goto done;
    /* main = c.main_spot(): places.get(c.main_place or "") ... */
    if (!t) {
        Py_SETREF(key, PyUnicode_FromString(""));
        if (key == NULL)
            goto done;
    }
    if ((e = dict_get(places, key, "a cluster's places")) == NULL) {
        if (!PyErr_Occurred())
            rc = 0;
        goto done;
    }
    Py_INCREF(e);
    if (!PyList_Check(e) || PyList_GET_SIZE(e) != 7) {
        PyErr_SetString(PyExc_TypeError, "a cluster's place must be a list of 7");
        goto done;
    }
    /* ... unless e[0] < 0.0 * c.unique_count; specific(main): not coarse, latitude known */
    if ((t = count_vs_share(a, c, e, zero, Py_LT)) == 0
        && (t = PySet_Contains(coarse, PyList_GET_ITEM(e, 6))) == 0)
        t = PyList_GET_ITEM(e, 2) == Py_None;
    if (t != 0) {
        if (t > 0)
            rc = 0; /* no specific main place: not far */
        goto done;
    }
    if ((main = PyList_GetSlice(e, 2, 7)) == NULL) /* (lat, lon, country, admin1, feature) */
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(pts); i++) {
        PyObject *pt = PyList_GET_ITEM(pts, i), *spot;
        if (!PyTuple_Check(pt) || PyTuple_GET_SIZE(pt) != 2
            || !PyTuple_Check(spot = PyTuple_GET_ITEM(pt, 1)) || PyTuple_GET_SIZE(spot) != 5) {
            PyErr_SetString(PyExc_TypeError, "far() pts must be (geonameid, 5-tuple) pairs");
            goto done;
        }
        Py_INCREF(pt);
        t = PyDict_Contains(places, PyTuple_GET_ITEM(pt, 0));
        if (t == 0)
            t = near(PySequence_Fast_ITEMS(spot), PySequence_Fast_ITEMS(main), radius_km);
        Py_DECREF(pt);
        if (t != 0) {
            if (t > 0)
                rc = 0; /* its place, or near it: not far */
            goto done;
        }
    }
    rc = 1;
done:
    Py_XDECREF(places);
    Py_XDECREF(key);
    Py_XDECREF(e);
    Py_XDECREF(main);
    return rc;
}

/* One cluster's penalised similarity (``*sim`` on entry: unpenalised); returns 1 when it
 * is still in the running, 0 when ``names_story`` ruled it out, -1 on error. The order of
 * the factors is the twin's. */
typedef struct {
    PyObject *feats, *hz, *pts, *share;
    double now, stale_after, stale_half_life, missing, hazard_mismatch, place_mismatch,
        radius_km;
    int has_missing;
} Rules;

static int
penalise(Attrs *a, const Rules *r, PyObject *c, PyObject *status, int is_ev, double *sim)
{
    int closed = PyObject_RichCompareBool(status, closed_str, Py_EQ);
    if (closed < 0)
        return -1;
    if (closed) {
        int names = names_story_impl(a, c, r->feats);
        if (names <= 0)
            return names; /* re-opening a closed story takes its name or one of its places */
    }
    if (is_ev && r->has_missing) {
        PyObject *p = attr_get(a, c, A_IDENTITY_PRIMARY);
        if (p == NULL)
            return -1;
        if (p != Py_None) {
            int has = PyDict_Contains(r->feats, p);
            double share_p, m;
            if (has < 0 || (!has && anchor_share(a, c, p, &share_p) < 0)) {
                Py_DECREF(p);
                return -1;
            }
            if (!has) {
                m = 1.0 - share_p;
                *sim *= m > r->missing ? m : r->missing;
            }
        }
        Py_DECREF(p);
    }
    if (r->hz != Py_None) {
        PyObject *dh = attr_get(a, c, A_TOP_HAZARD);
        if (dh == NULL)
            return -1;
        int mismatch = 0;
        if (dh != Py_None) {
            mismatch = PyObject_RichCompareBool(dh, r->hz, Py_NE);
            if (mismatch > 0)
                mismatch = hazard_dominates(a, c, dh, r->share);
        }
        Py_DECREF(dh);
        if (mismatch < 0)
            return -1;
        if (mismatch)
            *sim *= r->hazard_mismatch;
    }
    if (r->pts != Py_None) {
        PyObject *mp = attr_get(a, c, A_MAIN_PLACE);
        if (mp == NULL)
            return -1;
        int has_main = mp != Py_None;
        Py_DECREF(mp);
        if (has_main) {
            int is_far = far_impl(a, r->pts, c, r->radius_km);
            if (is_far < 0)
                return -1;
            if (is_far)
                *sim *= r->place_mismatch;
        }
    }
    double last;
    if (attr_double(a, c, A_LAST, &last) < 0)
        return -1;
    double quiet = r->now - last;
    if (quiet > r->stale_after) {
        if (r->stale_half_life == 0.0) {
            PyErr_SetString(PyExc_ZeroDivisionError, "float division by zero");
            return -1;
        }
        *sim *= pow(0.5, (quiet - r->stale_after) / r->stale_half_life);
    }
    return 1;
}

/* best_match(acc, denom, feats, now, hz, pts, params) -> (best, best_sim, weak, weak_sim):
 * see scoring.best_match_py, which this follows line for line (the same float operations
 * in the same order: the same scores, bit for bit) */
static PyObject *
best_match(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("best_match", nargs, 7))
        return NULL;
    PyObject *acc = args[0], *params = args[6];
    if (!type_ok("best_match", acc, &PyDict_Type)
        || !type_ok("best_match", args[2], &PyDict_Type)
        || !type_ok("best_match", params, &PyTuple_Type))
        return NULL;
    if (PyTuple_GET_SIZE(params) != 10) {
        PyErr_SetString(PyExc_TypeError, "best_match() params must be a 10-tuple");
        return NULL;
    }
    Rules r = {.feats = args[2], .hz = args[4], .pts = args[5],
               .share = PyTuple_GET_ITEM(params, 5)};
    double denom, prior, cand_need, weak_sim;
    PyObject *missing = PyTuple_GET_ITEM(params, 4);
    r.has_missing = missing != Py_None;
    if (as_double(args[1], &denom) < 0 || as_double(args[3], &r.now) < 0
        || as_double(PyTuple_GET_ITEM(params, 0), &prior) < 0
        || as_double(PyTuple_GET_ITEM(params, 1), &r.stale_after) < 0
        || as_double(PyTuple_GET_ITEM(params, 2), &r.stale_half_life) < 0
        || as_double(PyTuple_GET_ITEM(params, 3), &cand_need) < 0
        || (r.has_missing && as_double(missing, &r.missing) < 0)
        || as_double(PyTuple_GET_ITEM(params, 6), &r.hazard_mismatch) < 0
        || as_double(PyTuple_GET_ITEM(params, 7), &r.place_mismatch) < 0
        || as_double(PyTuple_GET_ITEM(params, 8), &weak_sim) < 0
        || as_double(PyTuple_GET_ITEM(params, 9), &r.radius_km) < 0)
        return NULL;
    Attrs a = {0};
    PyObject *best = Py_None, *weak = Py_None, *out = NULL;
    double best_sim = 0.0;
    Py_ssize_t pos = 0;
    PyObject *c, *ao;
    Py_INCREF(acc); /* (comparisons may run Python code: ``acc`` and its keys stay alive) */
    while (PyDict_Next(acc, &pos, &c, &ao)) {
        double v, n, last_g;
        if (as_double(ao, &v) < 0 || attr_double(&a, c, A_N, &n) < 0
            || attr_double(&a, c, A_LAST_G, &last_g) < 0)
            goto done;
        double norm = (n + prior * last_g) * denom;
        if (norm <= 0.0)
            continue;
        double sim = v / norm;
        PyObject *status = attr_get(&a, c, A_STATUS);
        if (status == NULL)
            goto done;
        int is_ev = PyObject_RichCompareBool(status, candidate_str, Py_NE), go = 1;
        /* penalties only lower a score: skip them for clusters that cannot win anything */
        if (is_ev > 0)
            go = !(sim <= best_sim && sim <= weak_sim);
        else if (is_ev == 0)
            go = !(sim < cand_need || sim <= best_sim);
        if (is_ev >= 0 && go)
            go = penalise(&a, &r, c, status, is_ev, &sim);
        Py_DECREF(status);
        if (is_ev < 0 || go < 0)
            goto done;
        if (!go)
            continue;
        if (is_ev) {
            if (sim > weak_sim) {
                weak = c;
                weak_sim = sim;
            }
        } else if (sim < cand_need)
            continue; /* growing a new story takes more than joining an established one */
        if (sim > best_sim) {
            best = c;
            best_sim = sim;
        }
    }
    out = Py_BuildValue("OdOd", best, best_sim, weak, weak_sim);
done:
    attrs_clear(&a);
    Py_DECREF(acc);
    return out;
}

/* names_story(c, feats) -> bool: see scoring.names_story_py */
static PyObject *
names_story(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok("names_story", nargs, 2) || !type_ok("names_story", args[1], &PyDict_Type))
        return NULL;
    int rc = names_story_impl(NULL, args[0], args[1]);
    return rc < 0 ? NULL : PyBool_FromLong(rc);
}

/* far(pts, c, radius_km) -> bool: see scoring.far_py */
static PyObject *
far(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    double radius_km;
    if (!nargs_ok("far", nargs, 3) || as_double(args[2], &radius_km) < 0)
        return NULL;
    int rc = far_impl(NULL, args[0], args[1], radius_km);
    return rc < 0 ? NULL : PyBool_FromLong(rc);
}

static PyMethodDef methods[] = {
    {"accumulate", (PyCFunction)(void (*)(void))accumulate, METH_FASTCALL,
     "accumulate(feats, df, num, g_bg, cap, posts) -> (acc, denom); see scoring.py"},
    {"add_weight", (PyCFunction)(void (*)(void))add_weight, METH_FASTCALL,
     "add_weight(table, keys, g) -> new keys; table[w] = table.get(w, 0.0) + g for w in keys"},
    {"profile_sum", (PyCFunction)(void (*)(void))profile_sum, METH_FASTCALL,
     "profile_sum(keys, terms) -> the sum of terms[w] over the keys found in terms"},
    {"at_least", (PyCFunction)(void (*)(void))at_least, METH_FASTCALL,
     "at_least(terms, cut) -> [(w, v) for w, v in terms.items() if v >= cut]"},
    {"word_features", (PyCFunction)(void (*)(void))word_features, METH_FASTCALL,
     "word_features(tokens, cache, limit, compute, one) -> dict; see scoring.py"},
    {"index_terms", (PyCFunction)(void (*)(void))index_terms, METH_FASTCALL,
     "index_terms(postings, words, cid, c, cap); see scoring.py"},
    {"unindex_terms", (PyCFunction)(void (*)(void))unindex_terms, METH_FASTCALL,
     "unindex_terms(postings, terms, cid); see scoring.py"},
    {"best_match", (PyCFunction)(void (*)(void))best_match, METH_FASTCALL,
     "best_match(acc, denom, feats, now, hz, pts, params) -> (best, best_sim, weak, weak_sim); "
     "see scoring.py"},
    {"names_story", (PyCFunction)(void (*)(void))names_story, METH_FASTCALL,
     "names_story(c, feats) -> bool; see scoring.py"},
    {"far", (PyCFunction)(void (*)(void))far, METH_FASTCALL,
     "far(pts, c, radius_km) -> bool; see scoring.py"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_accumulate", "The detector's per-report loops, compiled.", -1, methods,
};

PyMODINIT_FUNC
PyInit__accumulate(void)
{
    for (int i = 0; i < N_ATTRS; i++)
        if ((attr_names[i] = PyUnicode_InternFromString(attr_strs[i])) == NULL)
            return NULL;
    if ((candidate_str = PyUnicode_InternFromString("candidate")) == NULL
        || (closed_str = PyUnicode_InternFromString("closed")) == NULL
        || (tenth = PyFloat_FromDouble(0.1)) == NULL || (zero = PyFloat_FromDouble(0.0)) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
