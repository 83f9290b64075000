/* Dedup's two numeric passes in C: SimHash votes, and the banded index checked in order.
 *
 * ``simhash_keys(token_lists, out, keys)``: ``out`` (uint64, one per list) gets the 64-bit
 * SimHash of each list's unigrams and bigrams, the twin of the numpy path in
 * ``dedup.simhash_array``: a token's hash is the xxh64 of its UTF-8 bytes (computed here,
 * ~10 ns, rather than looked up in the Python path's cache: that lookup missed the CPU
 * caches a few times per token once other stages had run), a bigram of tokens a, b is
 * ``a * M1 ^ rotl(b, 1) * M2`` (wrapping), a bit is set where more than half of the
 * features have it, and a report with no token gets 0. Unless ``keys`` is None, each
 * list's ``dedup.exact_key`` is appended to it.
 *
 * ``check(table, hist, lo, hi, window, max_distance, bands, band_bits, h, near, keys,
 * exact, out)``: ``DedupIndex.check_batch`` one report after the other, which is what the numpy
 * passes there are proven to agree with. For each report: an exact copy of the alive
 * entry ``exact[key]`` (a seq), else, when ``near``, the first alive entry within
 * ``max_distance`` bits scanning the bands in order and each ``table`` row oldest first;
 * ``out[i]`` is that entry's seq, or -1 when the report is not a copy, in which case it is
 * inserted at once: seq ``hi + (number inserted before it)``, ``exact[key] = seq`` and,
 * when ``near``, shifted into its row of every band (``table`` is updated in place, as the
 * numpy commit leaves it). ``hist`` holds the hashes of seqs ``lo..hi-1``. The caller does
 * the rest of the commit (ids, keys, expired exact keys, trimming) as the numpy path does.
 * Optional: where it is not built, the numpy paths run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "../_buffer.h"

#define M1 0x9E3779B97F4A7C15ULL
#define M2 0xC2B2AE3D27D4EB4FULL

/* Votes are counted a byte lane per bit: SPREAD[v] has byte j set to bit j of v, so adding
 * SPREAD of each of a feature's 8 bytes to 8 counters counts its 64 bits in 8 additions.
 * A lane holds at most 255, so the counters are flushed every 255 features. */
static uint64_t SPREAD[256];

typedef struct {
    uint64_t acc[8];
    int32_t ones[64];
    int pending;
} Votes;

static inline void
votes_flush(Votes *v)
{
    for (int k = 0; k < 8; k++) {
        uint64_t a = v->acc[k];
        for (int j = 0; j < 8; j++)
            v->ones[8 * k + j] += (int32_t)((a >> (8 * j)) & 0xFF);
        v->acc[k] = 0;
    }
    v->pending = 0;
}

static inline void
vote(Votes *v, uint64_t x)
{
    if (v->pending == 255)
        votes_flush(v);
    for (int k = 0; k < 8; k++)
        v->acc[k] += SPREAD[(x >> (8 * k)) & 0xFF];
    v->pending++;
}

/* the SimHash of the m token hashes t: unigrams, then bigrams, a bit set by majority */
static uint64_t
simhash_of(const uint64_t *t, Py_ssize_t m)
{
    if (m == 0)
        return 0;
    Votes v;
    memset(&v, 0, sizeof v);
    for (Py_ssize_t j = 0; j < m; j++) {
        vote(&v, t[j]);
        if (j + 1 < m) {
            uint64_t b = t[j + 1];
            vote(&v, (t[j] * M1) ^ (((b << 1) | (b >> 63)) * M2));
        }
    }
    votes_flush(&v);
    int64_t total = 2 * (int64_t)m - 1;
    uint64_t r = 0;
    for (int b = 0; b < 64; b++)
        if (2 * (int64_t)v.ones[b] > total)
            r |= 1ULL << b;
    return r;
}

/* XXH64 with seed 0 (the xxhash specification; what ``xxhash.xxh64`` computes) */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t
rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t
read64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)  /* little-endian whatever the machine */
        v = (v << 8) | p[i];
    return v;
}

static inline uint64_t
read32(const unsigned char *p)
{
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16)
           | ((uint64_t)p[3] << 24);
}

static inline uint64_t
xxround(uint64_t acc, uint64_t input)
{
    return rotl(acc + input * P2, 31) * P1;
}

static inline uint64_t
xxmerge(uint64_t acc, uint64_t val)
{
    return (acc ^ xxround(0, val)) * P1 + P4;
}

static uint64_t
xxh64(const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    uint64_t h;
    if (len >= 32) {
        uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
        do {
            v1 = xxround(v1, read64(p));
            v2 = xxround(v2, read64(p + 8));
            v3 = xxround(v3, read64(p + 16));
            v4 = xxround(v4, read64(p + 24));
            p += 32;
        } while (p <= end - 32);
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = xxmerge(h, v1);
        h = xxmerge(h, v2);
        h = xxmerge(h, v3);
        h = xxmerge(h, v4);
    }
    else
        h = P5;
    h += (uint64_t)len;
    while (p + 8 <= end) {
        h ^= xxround(0, read64(p));
        h = rotl(h, 27) * P1 + P4;
        p += 8;
    }
    if (p + 4 <= end) {
        h ^= read32(p) * P1;
        h = rotl(h, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)(*p) * P5;
        h = rotl(h, 11) * P1;
        p++;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

/* simhash_keys(token_lists, out, keys): ``out`` (uint64, one per list) gets each list's
 * SimHash, a token's hash being the xxh64 of its UTF-8 bytes (what the Python path caches);
 * unless ``keys`` is None, the list ``keys`` gets each list's ``exact_key`` appended: the
 * xxh64 hex digest of the tokens' UTF-8 joined by spaces. */
static PyObject *
simhash_keys(PyObject *self, PyObject *args)
{
    PyObject *lists, *oo, *keys;
    if (!PyArg_ParseTuple(args, "OOO", &lists, &oo, &keys))
        return NULL;
    if (keys != Py_None && !PyList_Check(keys)) {
        PyErr_SetString(PyExc_TypeError, "keys must be a list or None");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(lists, "token_lists must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_buffer ob;
    if (tocsin_buffer(oo, &ob, 1, "QLKl", 8, "out") < 0) {
        Py_DECREF(seq);
        return NULL;
    }
    uint64_t *out = ob.buf, *hashes = NULL;
    unsigned char *text = NULL;  /* the tokens' UTF-8 joined by spaces */
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), room = 0;
    size_t text_room = 0;
    PyObject *ret = NULL;
    if (ob.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "out: one slot per report needed");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *toks = PySequence_Fast(PySequence_Fast_GET_ITEM(seq, i),
                                         "a token list must be a sequence");
        if (toks == NULL)
            goto done;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(toks);
        if (m > room) {
            uint64_t *nb = PyMem_Realloc(hashes, (size_t)m * sizeof(uint64_t));
            if (nb == NULL) {
                Py_DECREF(toks);
                PyErr_NoMemory();
                goto done;
            }
            hashes = nb;
            room = m;
        }
        PyObject **items = PySequence_Fast_ITEMS(toks);
        size_t used = 0;
        for (Py_ssize_t j = 0; j < m; j++) {
            PyObject *tok = items[j], *tmp = NULL;
            const unsigned char *u;
            Py_ssize_t ulen;
            if (!PyUnicode_Check(tok)) {
                PyErr_Format(PyExc_TypeError, "a token must be a str, not %.100s",
                             Py_TYPE(tok)->tp_name);
                Py_DECREF(toks);
                goto done;
            }
            if (PyUnicode_IS_ASCII(tok)) {
                u = PyUnicode_1BYTE_DATA(tok);
                ulen = PyUnicode_GET_LENGTH(tok);
            }
            else {  /* a temporary copy: no UTF-8 cache left on the token */
                tmp = PyUnicode_AsUTF8String(tok);
                if (tmp == NULL) {
                    Py_DECREF(toks);
                    goto done;
                }
                u = (const unsigned char *)PyBytes_AS_STRING(tmp);
                ulen = PyBytes_GET_SIZE(tmp);
            }
            hashes[j] = xxh64(u, (size_t)ulen);
            if (keys != Py_None) {
                size_t need = used + (size_t)ulen + 1;
                if (need > text_room) {
                    size_t size = need > 2 * text_room ? need : 2 * text_room;
                    unsigned char *nt = PyMem_Realloc(text, size);
                    if (nt == NULL) {
                        Py_XDECREF(tmp);
                        Py_DECREF(toks);
                        PyErr_NoMemory();
                        goto done;
                    }
                    text = nt;
                    text_room = size;
                }
                if (j)
                    text[used++] = ' ';
                memcpy(text + used, u, (size_t)ulen);
                used += (size_t)ulen;
            }
            Py_XDECREF(tmp);
        }
        Py_DECREF(toks);
        out[i] = simhash_of(hashes, m);
        if (keys != Py_None) {
            char hex[17];
            snprintf(hex, sizeof hex, "%016llx",
                     (unsigned long long)xxh64(text ? text : (const unsigned char *)"", used));
            PyObject *k = PyUnicode_FromStringAndSize(hex, 16);
            if (k == NULL)
                goto done;
            int err = PyList_Append(keys, k);
            Py_DECREF(k);
            if (err < 0)
                goto done;
        }
    }
    ret = Py_None;
    Py_INCREF(ret);
done:
    PyMem_Free(hashes);
    PyMem_Free(text);
    PyBuffer_Release(&ob);
    Py_DECREF(seq);
    return ret;
}

static PyObject *
check(PyObject *self, PyObject *args)
{
    PyObject *to, *histo, *ho, *nearo, *keys, *exact, *oo;
    long long lo, hi, window;
    int maxd, bands, band_bits;
    if (!PyArg_ParseTuple(args, "OOLLLiiiOOO!O!O", &to, &histo, &lo, &hi, &window, &maxd,
                          &bands, &band_bits, &ho, &nearo, &PyList_Type, &keys, &PyDict_Type, &exact,
                          &oo))
        return NULL;
    if (band_bits < 1 || band_bits > 16 || bands < 1 || bands * band_bits > 64 || window < 0
        || lo < 0 || hi < lo) {
        PyErr_SetString(PyExc_ValueError, "bad index parameters");
        return NULL;
    }
    Py_buffer tb, histb, hb, nb, ob;
    int got = 0;
    PyObject *ret = NULL;
    uint64_t *newh = NULL;
    if (tocsin_buffer(to, &tb, 1, "qlLl", 8, "table") < 0)
        goto done;
    got = 1;
    if (tocsin_buffer(histo, &histb, 0, "QLKl", 8, "hist") < 0)
        goto done;
    got = 2;
    if (tocsin_buffer(ho, &hb, 0, "QLKl", 8, "h") < 0)
        goto done;
    got = 3;
    if (tocsin_buffer(nearo, &nb, 0, "?B", 1, "near") < 0)
        goto done;
    got = 4;
    if (tocsin_buffer(oo, &ob, 1, "qlLl", 8, "out") < 0)
        goto done;
    got = 5;
    Py_ssize_t n = hb.len / 8;
    Py_ssize_t values = (Py_ssize_t)1 << band_bits;
    Py_ssize_t rows = (Py_ssize_t)bands * values;
    if (nb.len != n || ob.len / 8 != n || PyList_GET_SIZE(keys) != n || tb.len / 8 < rows
        || (tb.len / 8) % rows != 0 || histb.len / 8 != hi - lo) {
        PyErr_SetString(PyExc_ValueError, "check: arguments of inconsistent sizes");
        goto done;
    }
    Py_ssize_t cap = (tb.len / 8) / rows;
    int64_t *table = tb.buf;
    const uint64_t *hist = histb.buf, *h = hb.buf;
    const uint8_t *near = nb.buf;
    int64_t *out = ob.buf;
    uint64_t mask = ((uint64_t)1 << band_bits) - 1;
    newh = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    if (newh == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t cur = hi;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t oldest = cur - window, t = -1;
        uint64_t x = h[i];
        PyObject *key = PyList_GET_ITEM(keys, i);
        PyObject *e = PyDict_GetItemWithError(exact, key);
        if (e != NULL) {
            long long s = PyLong_AsLongLong(e);
            if (s == -1 && PyErr_Occurred())
                goto done;
            if (s >= oldest)
                t = s;
        }
        else if (PyErr_Occurred())
            goto done;
        if (t < 0 && near[i]) {
            for (int b = 0; b < bands && t < 0; b++) {
                const int64_t *row = table + ((Py_ssize_t)b * values
                                              + (Py_ssize_t)((x >> (b * band_bits)) & mask)) * cap;
                for (Py_ssize_t k = 0; k < cap; k++) {
                    int64_t q = row[k];
                    if (q < 0 || q < oldest)
                        continue;
                    uint64_t hq;
                    if (q >= hi && q < cur)
                        hq = newh[q - hi];
                    else if (q >= lo && q < hi)
                        hq = hist[q - lo];
                    else {
                        PyErr_SetString(PyExc_IndexError, "check: table names an unknown entry");
                        goto done;
                    }
                    if (__builtin_popcountll(hq ^ x) <= maxd) {
                        t = q;
                        break;
                    }
                }
            }
        }
        out[i] = t;
        if (t >= 0)
            continue;
        PyObject *s = PyLong_FromLongLong(cur);
        if (s == NULL)
            goto done;
        int err = PyDict_SetItem(exact, key, s);
        Py_DECREF(s);
        if (err < 0)
            goto done;
        newh[cur - hi] = x;
        if (near[i]) {
            for (int b = 0; b < bands; b++) {
                int64_t *row = table + ((Py_ssize_t)b * values
                                        + (Py_ssize_t)((x >> (b * band_bits)) & mask)) * cap;
                memmove(row, row + 1, (size_t)(cap - 1) * sizeof(int64_t));
                row[cap - 1] = cur;
            }
        }
        cur++;
    }
    ret = Py_None;
    Py_INCREF(ret);
done:
    PyMem_Free(newh);
    if (got >= 5)
        PyBuffer_Release(&ob);
    if (got >= 4)
        PyBuffer_Release(&nb);
    if (got >= 3)
        PyBuffer_Release(&hb);
    if (got >= 2)
        PyBuffer_Release(&histb);
    if (got >= 1)
        PyBuffer_Release(&tb);
    return ret;
}

static PyMethodDef methods[] = {
    {"simhash_keys", simhash_keys, METH_VARARGS, "SimHash (and exact key) of token lists."},
    {"check", check, METH_VARARGS, "The banded index checked one report after the other."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_dedup", "Dedup's SimHash votes and banded index in C.", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__dedup(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t x = 0;
        for (int j = 0; j < 8; j++)
            if (v & (1 << j))
                x |= (uint64_t)1 << (8 * j);
        SPREAD[v] = x;
    }
    return PyModule_Create(&module);
}
