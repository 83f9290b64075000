/* Recogniser.find for the common case, compiled: a twin of the Python code in recognise.py.
 *
 * ``Scanner.find(iter, text, zipf_en)`` does what ``Recogniser.find`` does for a text whose
 * automaton hits are all Latin-script keys (nine posts in ten): it folds and bounds the
 * text, runs the bounded automaton (its ``iter`` method is passed in), applies the rules of
 * the Python hit loop and of ``Recogniser._latin`` to each hit in the same order (case,
 * NEVER and storm keys, the CRC check, surnames, exact-case abbreviations, acronyms,
 * titles, hazard words, the stop-list, common words and their evidence), drops the
 * surnames, keeps the leftmost-longest spans and returns the Mentions. Where the Python
 * code would do more than that it returns None, and the caller runs the Python code on
 * the whole text: a hit of a punctuation clash or of a non-Latin key, a text with Arabic,
 * Hebrew or CJK letters (the plain automaton) or possibly Cyrillic ones (inflected forms),
 * a character the fold tables map to other than one character, or a lone surrogate in a
 * span whose CRC is checked (the Python code raises there).
 *
 * Identical results by construction: the per-character str tests the rules use
 * (isupper, islower, isalpha, isalnum of one character) are the Py_UNICODE_IS* tests
 * those methods call; multi-character tests are the same loops (str.isupper is "some
 * cased character, none lower or title case"); folding is the same per-character tables
 * (fold.ASCII_FOLD / ASCII_FOLD_BOUND below 128, the Python tables above); lower() of a
 * word that is not ASCII is str.lower itself; set memberships are asked of the very sets
 * the Python code uses. Optional: tocsin runs without it (TOCSIN_PURE_PYTHON=1 forces the
 * Python code), and tests check the two agree.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define S_LATIN 0
#define KIND_CITY 3
#define N_BUF 10
#define N_OBJ 15

typedef struct {
    PyObject_HEAD
    Py_buffer buf[N_BUF];
    int nbuf;
    /* views into buf: per key id */
    const short *klen;
    const signed char *kscript, *verify, *exact, *nwords, *best_kind;
    const long long *best_pop;
    const double *zipf_en, *zipf_other;
    const unsigned int *crc;
    Py_ssize_t nkeys;
    PyObject *obj[N_OBJ];  /* owned; see the enum */
    unsigned char fold[128], bound[128];
} Scanner;

/* the objects after the arrays, in the constructor's order */
enum { SKIP_CASED, NEVER_IDS, NEVER_WORDS, STOP, STORMS, LOCATIVE, TITLES, HAZARD,
       QUALIFIERS, FOLLOWERS, ASCII_FOLD, ASCII_BOUND, FOLD_TABLE, BOUND_TABLE, MENTION };

static void
scanner_dealloc(Scanner *self)
{
    for (int i = 0; i < self->nbuf; i++)
        PyBuffer_Release(&self->buf[i]);
    for (int i = 0; i < N_OBJ; i++)
        Py_XDECREF(self->obj[i]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
scanner_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static const char fmt[N_BUF] = {'h', 'b', 'b', 'b', 'b', 'b', 'q', 'd', 'd', 'I'};
    static const Py_ssize_t size[N_BUF] = {sizeof(short), 1, 1, 1, 1, 1,
                                           sizeof(long long), sizeof(double),
                                           sizeof(double), sizeof(unsigned int)};
    if (kwds != NULL && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, "Scanner() takes positional arguments only");
        return NULL;
    }
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) != N_BUF + N_OBJ) {
        PyErr_Format(PyExc_TypeError, "Scanner() takes %d arguments", N_BUF + N_OBJ);
        return NULL;
    }
    Scanner *self = (Scanner *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    for (int i = 0; i < N_BUF; i++) {
        Py_buffer *b = &self->buf[i];
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(args, i), b,
                               PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
            goto fail;
        self->nbuf = i + 1;
        if (b->itemsize != size[i] || b->format == NULL || b->format[0] != fmt[i]
                || b->format[1] != '\0') {
            PyErr_Format(PyExc_TypeError, "Scanner(): argument %d must be an array of '%c'",
                         i, fmt[i]);
            goto fail;
        }
    }
    self->nkeys = self->buf[0].len / self->buf[0].itemsize;
    for (int i = 1; i < N_BUF; i++)
        if (self->buf[i].len / self->buf[i].itemsize != self->nkeys) {
            PyErr_SetString(PyExc_ValueError, "Scanner(): per-key arrays differ in length");
            goto fail;
        }
    self->klen = self->buf[0].buf;
    self->kscript = self->buf[1].buf;
    self->verify = self->buf[2].buf;
    self->exact = self->buf[3].buf;
    self->nwords = self->buf[4].buf;
    self->best_kind = self->buf[5].buf;
    self->best_pop = self->buf[6].buf;
    self->zipf_en = self->buf[7].buf;
    self->zipf_other = self->buf[8].buf;
    self->crc = self->buf[9].buf;
    for (int i = 0; i < N_OBJ; i++) {
        PyObject *o = PyTuple_GET_ITEM(args, N_BUF + i);
        if (i == ASCII_FOLD || i == ASCII_BOUND) {
            unsigned char *dst = i == ASCII_FOLD ? self->fold : self->bound;
            if (!PyBytes_Check(o) || PyBytes_GET_SIZE(o) < 128) {
                PyErr_SetString(PyExc_TypeError, "Scanner(): the ASCII tables must be bytes");
                goto fail;
            }
            memcpy(dst, PyBytes_AS_STRING(o), 128);
            for (int c = 0; c < 128; c++)
                if (dst[c] >= 128) {
                    PyErr_SetString(PyExc_ValueError, "Scanner(): ASCII must fold to ASCII");
                    goto fail;
                }
        }
        else if (i == FOLD_TABLE || i == BOUND_TABLE || i == MENTION) {
            if ((i == MENTION && !PyCallable_Check(o)) ||
                    (i != MENTION && !PyMapping_Check(o))) {
                PyErr_Format(PyExc_TypeError, "Scanner(): bad argument %d", N_BUF + i);
                goto fail;
            }
        }
        else if (!PyAnySet_Check(o)) {
            PyErr_Format(PyExc_TypeError, "Scanner(): argument %d must be a set", N_BUF + i);
            goto fail;
        }
        Py_INCREF(o);
        self->obj[i] = o;
    }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

/* ---- one character, as the str methods see it ------------------------------------- */
static inline int
is_upper(Py_UCS4 c)
{
    return c < 128 ? (c >= 'A' && c <= 'Z') : Py_UNICODE_ISUPPER(c);
}

static inline int
is_lower(Py_UCS4 c)
{
    return c < 128 ? (c >= 'a' && c <= 'z') : Py_UNICODE_ISLOWER(c);
}

static inline int
is_alpha(Py_UCS4 c)
{
    return c < 128 ? ((c | 32) >= 'a' && (c | 32) <= 'z') : Py_UNICODE_ISALPHA(c);
}

static inline int
is_alnum(Py_UCS4 c)
{
    return c < 128 ? (is_alpha(c) || (c >= '0' && c <= '9')) : Py_UNICODE_ISALNUM(c);
}

/* a one-character str table (fold._TABLE, fold._BOUND_TABLE) applied to c, as
 * str.translate applies it: -1 with no error set where the value is not one character
 * (the caller leaves the text to the Python code), -1 with an error set on error */
static Py_UCS4
map_char(PyObject *table, Py_UCS4 c)
{
    PyObject *k = PyLong_FromUnsignedLong(c);
    if (k == NULL)
        return (Py_UCS4)-1;
    PyObject *v = PyObject_GetItem(table, k);
    Py_DECREF(k);
    if (v == NULL) {
        if (PyErr_ExceptionMatches(PyExc_LookupError)) {  /* translate keeps the char */
            PyErr_Clear();
            return c;
        }
        return (Py_UCS4)-1;
    }
    Py_UCS4 r = (Py_UCS4)-1;
    if (PyUnicode_Check(v) && PyUnicode_GET_LENGTH(v) == 1)
        r = PyUnicode_READ_CHAR(v, 0);
    Py_DECREF(v);
    return r;
}

static inline Py_UCS4
fold_char(Scanner *self, Py_UCS4 c)
{
    return c < 128 ? self->fold[c] : map_char(self->obj[FOLD_TABLE], c);
}

/* a str of buf[0:n] */
static PyObject *
make_str(const Py_UCS4 *buf, Py_ssize_t n)
{
    Py_UCS4 max = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (buf[i] > max)
            max = buf[i];
    if (max >= 128)
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    PyObject *s = PyUnicode_New(n, 127);
    if (s == NULL)
        return NULL;
    Py_UCS1 *d = PyUnicode_1BYTE_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        d[i] = (Py_UCS1)buf[i];
    return s;
}

enum { AS_IS, LOWER, FOLD };

/* `w in set` for w = buf[a:b] as is, .lower() or fold(); 1, 0, -1 on error, -2 where
 * fold() has no one-character answer (the caller leaves the text to the Python code) */
static int
contains(Scanner *self, PyObject *set, const Py_UCS4 *buf, Py_ssize_t a, Py_ssize_t b,
         int how)
{
    Py_UCS4 small[64];
    Py_UCS4 *w = small;
    Py_ssize_t n = b - a;
    int ascii = 1, r = -1;
    PyObject *s = NULL;
    if (n <= 0) {  /* the empty word (no word before a hit) */
        n = 0;
        small[0] = 0;
    }
    else if (n > 64 && (w = PyMem_Malloc(n * sizeof(Py_UCS4))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = buf[a + i];
        if (how == FOLD) {
            c = fold_char(self, c);
            if (c == (Py_UCS4)-1) {
                r = PyErr_Occurred() ? -1 : -2;
                goto done;
            }
        }
        else if (how == LOWER && c < 128 && c >= 'A' && c <= 'Z')
            c += 32;
        ascii &= c < 128;
        w[i] = c;
    }
    s = make_str(w, n);
    if (s != NULL && how == LOWER && !ascii) {  /* str.lower, which may change the length */
        PyObject *low = PyObject_CallMethod(s, "lower", NULL);
        Py_SETREF(s, low);
    }
    if (s != NULL)
        r = PySet_Contains(set, s);
done:
    Py_XDECREF(s);
    if (w != small)
        PyMem_Free(w);
    return r;
}

/* _sentence_initial(text, start) */
static int
sentence_initial(const Py_UCS4 *t, Py_ssize_t start)
{
    Py_ssize_t j = start - 1;
    for (; j >= 0; j--) {
        Py_UCS4 c = t[j];
        if (!(c == ' ' || c == '\t' || c == '"' || c == '\'' || c == 0x201C || c == 0x2018 ||
              c == '(' || c == 0xAB || c == '-'))
            break;
    }
    if (j < 0)
        return 1;
    Py_UCS4 c = t[j];
    return c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == ';' ||
           c == '"' || c == 0x201C || c == 0x201D || c == 0xAB || c == 0xBB || c == '|' ||
           c == 0x2022;
}

/* _next_upper(text, e) */
static int
next_upper(const Py_UCS4 *t, Py_ssize_t n, Py_ssize_t e)
{
    while (e < n && t[e] == ' ')
        e++;
    return e < n && is_upper(t[e]) && is_alnum(t[e]);
}

/* _part_of_name(text, e): 1, 0, or < 0 as contains() */
static int
part_of_name(Scanner *self, const Py_UCS4 *t, Py_ssize_t n, Py_ssize_t e)
{
    while (e < n && t[e] == ' ')
        e++;
    if (e >= n || !(is_upper(t[e]) && is_alnum(t[e])))
        return 0;
    Py_ssize_t m = e;
    while (m < n && is_alnum(t[m]))
        m++;
    int r = contains(self, self->obj[FOLLOWERS], t, e, m, LOWER);
    return r < 0 ? r : !r;
}

/* _mostly_upper(text) */
static int
mostly_upper(const Py_UCS4 *t, Py_ssize_t n)
{
    Py_ssize_t letters = 0, upper = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (is_alpha(t[i])) {
            letters++;
            upper += is_upper(t[i]);
        }
    }
    return letters > 0 && (double)upper > 0.6 * (double)letters;
}

/* str.isupper() of t[a:b] */
static int
str_isupper(const Py_UCS4 *t, Py_ssize_t a, Py_ssize_t b)
{
    int cased = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = t[i];
        if (is_lower(c) || (c >= 128 && Py_UNICODE_ISTITLE(c)))
            return 0;
        cased |= is_upper(c);
    }
    return cased;
}

/* a word-set membership in latin(): -1 error, -2 leave the text to the Python code */
#define CHECK(r) do { if ((r) < 0) return (r); } while (0)

/* ``Recogniser._latin``: 1 accept (*locative set), 0 refuse, 2 a surname (refused, and the
 * key joins ``surnames``), -1 error, -2 leave the text to the Python code */
static int
latin(Scanner *self, const Py_UCS4 *t, const Py_UCS4 *f, Py_ssize_t n, Py_ssize_t s,
      Py_ssize_t e, Py_ssize_t kid, int lowercase_text, const double *zipf, int *mostly,
      int *locative)
{
    int bk = self->best_kind[kid];
    long long pop = self->best_pop[kid];
    int exact = self->exact[kid] != 0;
    int multi = self->nwords[kid] > 1;
    int name_part = !multi && bk == KIND_CITY && pop < 500000;
    int important = bk < KIND_CITY;
    int r;
    /* _word_before(text, s): the word ending before s (spaces skipped), and its start */
    Py_ssize_t j = s - 1;
    while (j >= 0 && t[j] == ' ')
        j--;
    Py_ssize_t pend = j + 1;
    while (j >= 0 && (is_alnum(t[j]) || t[j] == '.' || t[j] == '-' || t[j] == '\'' ||
                      t[j] == 0x2019))
        j--;
    Py_ssize_t pst = j + 1, plen = pend - pst;
    Py_UCS4 c0 = t[s];
    /* _is_name_part: "Conor McGregor" */
    if (name_part && is_upper(c0) && plen > 0 && is_upper(t[pst]) && pst + plen == s - 1) {
        int alpha = 1;
        for (Py_ssize_t i = pst; i < pend && alpha; i++)
            alpha = is_alpha(t[i]);
        if (alpha && !sentence_initial(t, pst)) {
            /* fold(prev_word) not in QUALIFIERS, LOCATIVE, TITLES */
            int hit = 0;
            static const int sets[3] = {QUALIFIERS, LOCATIVE, TITLES};
            for (int k = 0; k < 3 && !hit; k++) {
                r = contains(self, self->obj[sets[k]], t, pst, pend, FOLD);
                CHECK(r);
                hit = r;
            }
            if (!hit)
                return 2;
        }
    }
    /* _accept_latin */
    r = contains(self, self->obj[LOCATIVE], t, pst, pend, LOWER);
    CHECK(r);
    *locative = r;
    r = contains(self, self->obj[NEVER_WORDS], f, s, e, AS_IS);
    CHECK(r);
    if (r)
        return 0;
    if (exact) {
        int dot = 0, first_letter = -1, all_upper = 1;
        for (Py_ssize_t i = s; i < e; i++) {
            Py_UCS4 c = t[i];
            if (c == '.')
                dot = 1;
            if (is_alpha(c)) {
                if (first_letter < 0)
                    first_letter = is_upper(c);
                if (!is_upper(c))
                    all_upper = 0;
            }
        }
        if (dot) {
            if (first_letter != 1)
                return 0;
        }
        else if (!all_upper)
            return 0;
        /* orig.replace(".", "") == "US" and _mostly_upper(text) */
        Py_UCS4 rest[3];
        int k = 0;
        for (Py_ssize_t i = s; i < e && k < 3; i++)
            if (t[i] != '.')
                rest[k++] = t[i];
        if (k == 2 && rest[0] == 'U' && rest[1] == 'S') {
            if (*mostly < 0)
                *mostly = mostly_upper(t, n);
            if (*mostly)
                return 0;
        }
        return 1;
    }
    if (e - s <= 5 && str_isupper(t, s, e)) {
        if (*mostly < 0)
            *mostly = mostly_upper(t, n);
        if (!*mostly)
            return 0;  /* an acronym ("NATO", "APC"), not a name */
    }
    if (!is_upper(c0)) {
        if (!lowercase_text)
            return 0;
        return (bk <= 1 || pop >= 100000) && zipf[kid] < 3.5;
    }
    if (plen > 0) {
        /* prev_word.rstrip(".").lower() in TITLES */
        Py_ssize_t q = pend;
        while (q > pst && t[q - 1] == '.')
            q--;
        r = contains(self, self->obj[TITLES], t, pst, q, LOWER);
        CHECK(r);
        if (r)
            return 0;
        r = contains(self, self->obj[HAZARD], t, pst, pend, FOLD);
        CHECK(r);
        if (r)
            return 0;
    }
    if (multi)
        return 1;
    r = contains(self, self->obj[STOP], f, s, e, AS_IS);
    CHECK(r);
    if (r)
        return *locative && !next_upper(t, n, e);
    r = contains(self, self->obj[STORMS], f, s, e, AS_IS);
    CHECK(r);
    if (r)
        return 0;
    int pon = -2;  /* part_of_name, read on demand */
    if (bk == KIND_CITY && !*locative) {
        pon = part_of_name(self, t, n, e);
        CHECK(pon);
        if (pon)
            return 0;  /* "Jordan Peterson", "Washington Post" */
    }
    double z = zipf[kid];
    if ((z >= 5.5 && bk >= 2) || (z >= 4.3 && !important && pop < 300000) ||
            (z >= 3.3 && pop < 5000 && !important) ||
            (z >= 3.0 && !important && pop < 100000 && sentence_initial(t, s))) {
        /* a common word: only with evidence */
        if (!*locative)
            return 0;
        if (pon == -2)
            pon = part_of_name(self, t, n, e);
        CHECK(pon);
        return !pon;
    }
    if (plen > 0 && is_upper(t[pst]) && bk == KIND_CITY && pop < 100000 && !*locative &&
            !sentence_initial(t, pst)) {
        r = contains(self, self->obj[QUALIFIERS], t, pst, pend, FOLD);
        CHECK(r);
        if (!r)
            return 0;  /* inside a longer capitalised name */
    }
    return 1;
}

/* zlib.crc32 of the UTF-8 of buf[a:b]; -1 where a lone surrogate makes .encode() raise */
static unsigned int CRC_TABLE[256];

static long long
crc32_utf8(const Py_UCS4 *buf, Py_ssize_t a, Py_ssize_t b)
{
    unsigned int c = 0xFFFFFFFFu;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 u = buf[i];
        unsigned char x[4];
        int k;
        if (u < 0x80) {
            x[0] = (unsigned char)u;
            k = 1;
        }
        else if (u < 0x800) {
            x[0] = (unsigned char)(0xC0 | (u >> 6));
            x[1] = (unsigned char)(0x80 | (u & 0x3F));
            k = 2;
        }
        else if (u >= 0xD800 && u <= 0xDFFF)
            return -1;
        else if (u < 0x10000) {
            x[0] = (unsigned char)(0xE0 | (u >> 12));
            x[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
            x[2] = (unsigned char)(0x80 | (u & 0x3F));
            k = 3;
        }
        else {
            x[0] = (unsigned char)(0xF0 | (u >> 18));
            x[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
            x[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
            x[3] = (unsigned char)(0x80 | (u & 0x3F));
            k = 4;
        }
        for (int i2 = 0; i2 < k; i2++)
            c = CRC_TABLE[(c ^ x[i2]) & 0xFF] ^ (c >> 8);
    }
    return (long long)(c ^ 0xFFFFFFFFu);
}

/* the code points of recognise._MAYBE_CYRILLIC and recognise._INSIDE_SCRIPTS */
static inline int
maybe_cyrillic(Py_UCS4 c)
{
    return (c >= 0x400 && c <= 0x52F) || (c >= 0x1C80 && c <= 0x1C8F) || c == 0x1D2B ||
           c == 0x1D78 || (c >= 0x2DE0 && c <= 0x2DFF) || (c >= 0xA640 && c <= 0xA69F) ||
           c == 0xFE2E || c == 0xFE2F || (c >= 0x1E030 && c <= 0x1E08F);
}

static inline int
inside_script(Py_UCS4 c)
{
    return (c >= 0x590 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) ||
           (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF) ||
           (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF);
}

typedef struct {
    Py_ssize_t s, e;
    Py_ssize_t v;   /* the key id */
    PyObject *kid;  /* the same as an int, borrowed from its hit tuple (kept in `keep`) */
    int locative;
} Cand;

static int
cand_order(const void *a, const void *b)
{
    /* _span_order: by start, then longest first (spans are distinct: no ties) */
    const Cand *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return x->e > y->e ? -1 : (x->e < y->e ? 1 : 0);
}

/* find(iter, text, zipf_en) -> list of Mention, or None: see the top of this file */
static PyObject *
scanner_find(Scanner *self, PyObject *args)
{
    PyObject *iter_fn, *text;
    int zipf_en;
    if (!PyArg_ParseTuple(args, "OUp:find", &iter_fn, &text, &zipf_en))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const double *zipf = zipf_en ? self->zipf_en : self->zipf_other;
    PyObject *result = NULL, *btext = NULL, *it = NULL, *item = NULL, *keep = NULL;
    Cand *cands = NULL;
    Py_ssize_t ncand = 0, cap = 0, nsur = 0, capsur = 0;
    Py_ssize_t *surnames = NULL;
    Py_UCS4 *f = NULL, *bt = NULL;
    Py_UCS4 *t = PyUnicode_AsUCS4Copy(text);
    if (t == NULL)
        return NULL;
    f = PyMem_Malloc((n + 1) * sizeof(Py_UCS4));
    bt = PyMem_Malloc((n + 2) * sizeof(Py_UCS4));
    if (f == NULL || bt == NULL) {
        PyErr_NoMemory();
        goto done;
    }

    /* fold() and bounded() as recognise.py builds them, and lowercase_text (no character
     * isupper(): text.lower() == text for ASCII text, not any(map(str.isupper, text))
     * otherwise); texts with letters of the plain automaton's scripts or maybe Cyrillic
     * ones are left to the Python code */
    int lowercase_text = 1;
    bt[0] = bt[n + 1] = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = t[i], fc, bc;
        if (c < 128) {
            if (c >= 'A' && c <= 'Z')
                lowercase_text = 0;
            fc = self->fold[c];
            bt[i + 1] = self->bound[fc];
            f[i] = fc;
            continue;
        }
        if (maybe_cyrillic(c))
            goto python;
        if (Py_UNICODE_ISUPPER(c))
            lowercase_text = 0;
        fc = map_char(self->obj[FOLD_TABLE], c);
        if (fc == (Py_UCS4)-1)
            goto unmapped;
        if (inside_script(fc))
            goto python;
        bc = fc < 128 ? self->bound[fc] : map_char(self->obj[BOUND_TABLE], fc);
        if (bc == (Py_UCS4)-1)
            goto unmapped;
        f[i] = fc;
        bt[i + 1] = bc;
    }
    btext = make_str(bt, n + 2);
    if (btext == NULL)
        goto done;
    int cased = !lowercase_text;
    PyObject *skip = cased ? self->obj[SKIP_CASED] : self->obj[NEVER_IDS];
    int mostly = -1;  /* _mostly_upper(text), computed on demand */
    keep = PyList_New(0);  /* the accepted hits' tuples: they own the key id objects */
    if (keep == NULL)
        goto done;
    it = PyObject_CallOneArg(iter_fn, btext);
    if (it == NULL)
        goto done;
    while ((item = PyIter_Next(it)) != NULL) {
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "find(): hits must be (end, value) pairs");
            goto done;
        }
        PyObject *vo = PyTuple_GET_ITEM(item, 1);
        Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
        Py_ssize_t v = PyLong_AsSsize_t(vo);
        if ((end == -1 || v == -1) && PyErr_Occurred())
            goto done;
        Py_ssize_t e = end - 1, s = v >= 0 && v < self->nkeys ? e - self->klen[v] : -1;
        if (v < 0 || v >= self->nkeys || self->kscript[v] != S_LATIN || s < 0 || e > n)
            goto python;  /* a punctuation clash or a non-Latin key */
        /* the two commonest rejections: lower case in a text with capitals, and NEVER
         * keys (in a text with capitals, storm names too) */
        int r;
        if (cased && is_lower(t[s])) {
            Py_CLEAR(item);
            continue;
        }
        r = PySet_Contains(skip, vo);
        if (r) {
            if (r < 0)
                goto done;
            Py_CLEAR(item);
            continue;
        }
        if (self->verify[v]) {
            long long crc = crc32_utf8(f, s, e);
            if (crc < 0)
                goto python;  /* .encode() raises there */
            if ((unsigned int)crc != self->crc[v]) {
                Py_CLEAR(item);
                continue;  /* "mount_pearl" is not the key "mount pearl" */
            }
        }
        int locative = 0;
        r = latin(self, t, f, n, s, e, v, lowercase_text, zipf, &mostly, &locative);
        if (r == -2)
            goto unmapped;
        if (r < 0)
            goto done;
        if (r == 2) {  /* a surname: every hit of the key is dropped below */
            if (nsur == capsur) {
                capsur = capsur ? 2 * capsur : 8;
                Py_ssize_t *p = PyMem_Realloc(surnames, capsur * sizeof(Py_ssize_t));
                if (p == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                surnames = p;
            }
            surnames[nsur++] = v;
        }
        else if (r == 1) {
            if (ncand == cap) {
                cap = cap ? 2 * cap : 8;
                Cand *p = PyMem_Realloc(cands, cap * sizeof(Cand));
                if (p == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                cands = p;
            }
            cands[ncand].s = s;
            cands[ncand].e = e;
            cands[ncand].v = v;
            cands[ncand].kid = vo;
            cands[ncand].locative = locative;
            ncand++;
            if (PyList_Append(keep, item) < 0)
                goto done;
        }
        Py_CLEAR(item);
    }
    if (PyErr_Occurred())
        goto done;
    result = PyList_New(0);
    if (result == NULL || ncand == 0)
        goto done;
    /* surnames out, then leftmost-longest, as Recogniser.find does */
    if (nsur) {
        Py_ssize_t k = 0;
        for (Py_ssize_t i = 0; i < ncand; i++) {
            int drop = 0;
            for (Py_ssize_t j = 0; j < nsur && !drop; j++)
                drop = cands[i].v == surnames[j];
            if (!drop)
                cands[k++] = cands[i];
        }
        ncand = k;
    }
    if (ncand > 1)
        qsort(cands, ncand, sizeof(Cand), cand_order);
    Py_ssize_t last_end = -1;
    for (Py_ssize_t i = 0; i < ncand; i++) {
        Cand *c = &cands[i];
        if (c->s < last_end)
            continue;
        PyObject *a[5];
        a[0] = PyLong_FromSsize_t(c->s);
        a[1] = PyLong_FromSsize_t(c->e);
        a[2] = PyUnicode_Substring(text, c->s, c->e);
        a[3] = c->kid;
        a[4] = c->locative ? Py_True : Py_False;
        PyObject *m = NULL;
        if (a[0] && a[1] && a[2])
            m = PyObject_Vectorcall(self->obj[MENTION], a, 5, NULL);
        Py_XDECREF(a[0]);
        Py_XDECREF(a[1]);
        Py_XDECREF(a[2]);
        if (m == NULL || PyList_Append(result, m) < 0) {
            Py_XDECREF(m);
            Py_CLEAR(result);
            goto done;
        }
        Py_DECREF(m);
        last_end = c->e;
    }
    goto done;
unmapped:
    if (PyErr_Occurred())
        goto done;
python:  /* the Python code decides this text */
    result = Py_None;
    Py_INCREF(result);
done:
    Py_XDECREF(item);
    Py_XDECREF(it);
    Py_XDECREF(btext);
    Py_XDECREF(keep);
    PyMem_Free(cands);
    PyMem_Free(surnames);
    PyMem_Free(t);
    PyMem_Free(f);
    PyMem_Free(bt);
    if (PyErr_Occurred())
        Py_CLEAR(result);
    return result;
}

static PyMethodDef scanner_methods[] = {
    {"find", (PyCFunction)scanner_find, METH_VARARGS,
     "find(iter, text, zipf_en) -> list of Mention, or None; see Recogniser.find"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tocsin.enrich.geoparse._recognise.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_dealloc = (destructor)scanner_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Recogniser.find for texts of Latin-script hits (see recognise.py).",
    .tp_methods = scanner_methods,
    .tp_new = scanner_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "_recognise",
    .m_doc = "The recogniser's hot path, compiled.", .m_size = -1,
};

PyMODINIT_FUNC
PyInit__recognise(void)
{
    for (unsigned int i = 0; i < 256; i++) {
        unsigned int c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        CRC_TABLE[i] = c;
    }
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
