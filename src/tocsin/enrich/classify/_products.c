/* The fast classifier's weight product in C, straight from the int8 weights.
 *
 * ``add_products(out, q, scale, n_out, blocks)`` adds, for every block (``data``,
 * ``indices``, ``indptr``: one CSR matrix) the product of that block with the dequantised
 * weights ``q[:, :n_out] * scale`` to ``out`` (float32, rows x n_out). It is the twin of the
 * numpy path in ``linear.LinearHeads.logits`` (``out += block @ weights`` per block), with
 * the same float32 operations in the same order, so the sums are bit-identical:
 *
 *   w         = (float)q[j][k] * scale[k]       (what ``q.astype(float32) * scale`` stores)
 *   part[k]  += a * w                           (scipy's csr_matvecs, one row at a time)
 *   out[i][k] += part[k]                        (``out += part``)
 *
 * Why: the float32 matrix is 67 MB and every report gathers a few hundred of its rows; the
 * int8 matrix is a quarter of that, so far fewer cache misses, and no float copy is kept.
 * Built with -ffp-contract=off (setup.py) so that no multiply-add is fused. Optional: where
 * it is not built, the numpy path runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "../../_buffer.h"

/* the row width of the padded int8 matrix (``linear._aligned_padded(q, width_of=32)``) */
#define WIDE 32

/* part += v * (row * scale) over a padded row: a fixed width the compiler vectorises. On
 * x86-64 with GCC or Clang it is also compiled for AVX2 and the loader picks the version
 * the CPU runs (about 1.5x faster there); both do the same IEEE float32 operations lane by
 * lane (no fused multiply-add: -ffp-contract=off), so their results are identical. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__APPLE__)
__attribute__((target_clones("avx2", "default")))
#endif
static void
add_row_wide(float *restrict part, float v, const int8_t *restrict row,
             const float *restrict scale)
{
    for (int k = 0; k < WIDE; k++)
        part[k] += v * ((float)row[k] * scale[k]);
}

/* the i-th index of an integer buffer of 4 or 8 bytes */
static inline int64_t
index_at(const Py_buffer *b, Py_ssize_t i)
{
    return b->itemsize == 4 ? (int64_t)((const int32_t *)b->buf)[i]
                            : (int64_t)((const int64_t *)b->buf)[i];
}

static int
add_block(float *out, Py_ssize_t n_rows, Py_ssize_t n_out, const int8_t *q,
          Py_ssize_t q_rows, Py_ssize_t q_cols, const float *scale, PyObject *block,
          float *part)
{
    PyObject *seq = PySequence_Fast(block, "a block is (data, indices, indptr)");
    if (seq == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != 3) {
        PyErr_SetString(PyExc_ValueError, "a block is (data, indices, indptr)");
        Py_DECREF(seq);
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    Py_buffer data, indices, indptr;
    int ok = -1;
    if (tocsin_buffer(items[0], &data, 0, "f", 0, "data") < 0)
        goto done0;
    if (tocsin_buffer(items[1], &indices, 0, "ilq", 0, "indices") < 0)
        goto done1;
    if (tocsin_buffer(items[2], &indptr, 0, "ilq", 0, "indptr") < 0)
        goto done2;
    if ((indices.itemsize != 4 && indices.itemsize != 8)
            || (indptr.itemsize != 4 && indptr.itemsize != 8)) {
        PyErr_SetString(PyExc_TypeError, "indices and indptr must be 32- or 64-bit integers");
        goto done3;
    }
    Py_ssize_t nnz = data.len / (Py_ssize_t)sizeof(float);
    if (indices.len / indices.itemsize != nnz
            || indptr.len / indptr.itemsize != n_rows + 1) {
        PyErr_SetString(PyExc_ValueError, "block shape does not match the output");
        goto done3;
    }
    const float *a = (const float *)data.buf;
    int64_t start = index_at(&indptr, 0);
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        int64_t stop = index_at(&indptr, i + 1);
        if (start < 0 || stop < start || stop > nnz) {
            PyErr_SetString(PyExc_ValueError, "indptr is not a valid CSR row pointer");
            goto done3;
        }
        for (Py_ssize_t k = 0; k < q_cols; k++)
            part[k] = 0.0f;
        for (int64_t p = start; p < stop; p++) {
            int64_t j = index_at(&indices, p);
            if (j < 0 || j >= q_rows) {
                PyErr_SetString(PyExc_IndexError, "column index out of range");
                goto done3;
            }
            const int8_t *row = q + j * q_cols;
            float v = a[p];
            if (q_cols == WIDE) { /* the padded layout */
                add_row_wide(part, v, row, scale);
            } else {
                for (Py_ssize_t k = 0; k < n_out; k++)
                    part[k] += v * ((float)row[k] * scale[k]);
            }
        }
        float *o = out + i * n_out;
        for (Py_ssize_t k = 0; k < n_out; k++)
            o[k] += part[k];
        start = stop;
    }
    ok = 0;
done3:
    PyBuffer_Release(&indptr);
done2:
    PyBuffer_Release(&indices);
done1:
    PyBuffer_Release(&data);
done0:
    Py_DECREF(seq);
    return ok;
}

static PyObject *
add_products(PyObject *self, PyObject *args)
{
    PyObject *out_o, *q_o, *scale_o, *blocks;
    Py_ssize_t n_out;
    if (!PyArg_ParseTuple(args, "OOOnO:add_products", &out_o, &q_o, &scale_o, &n_out, &blocks))
        return NULL;
    Py_buffer out, q, scale;
    PyObject *result = NULL;
    float *part = NULL;
    if (tocsin_buffer(out_o, &out, 1, "f", 0, "out") < 0)
        return NULL;
    if (tocsin_buffer(q_o, &q, 0, "b", 0, "q") < 0)
        goto r0;
    if (tocsin_buffer(scale_o, &scale, 0, "f", 0, "scale") < 0)
        goto r1;
    if (out.ndim != 2 || q.ndim != 2 || out.shape[1] != n_out || n_out < 0
            || n_out > q.shape[1] || scale.len / (Py_ssize_t)sizeof(float) != q.shape[1]) {
        PyErr_SetString(PyExc_ValueError, "out must be (rows, n_out), q (features, "
                        ">= n_out columns), scale one float per column of q");
        goto r2;
    }
    part = PyMem_Malloc((size_t)(q.shape[1] > 0 ? q.shape[1] : 1) * sizeof(float));
    if (part == NULL) {
        PyErr_NoMemory();
        goto r2;
    }
    PyObject *seq = PySequence_Fast(blocks, "blocks must be a sequence");
    if (seq == NULL)
        goto r3;
    Py_ssize_t n_blocks = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t b = 0; b < n_blocks; b++) {
        if (add_block((float *)out.buf, out.shape[0], n_out, (const int8_t *)q.buf,
                      q.shape[0], q.shape[1], (const float *)scale.buf,
                      PySequence_Fast_GET_ITEM(seq, b), part) < 0) {
            Py_DECREF(seq);
            goto r3;
        }
    }
    Py_DECREF(seq);
    result = Py_NewRef(Py_None);
r3:
    PyMem_Free(part);
r2:
    PyBuffer_Release(&scale);
r1:
    PyBuffer_Release(&q);
r0:
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"add_products", add_products, METH_VARARGS,
     "add_products(out, q, scale, n_out, blocks): out += sum of block @ (q * scale)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_products", "The fast classifier's weight product.", -1, methods,
};

PyMODINIT_FUNC
PyInit__products(void)
{
    return PyModule_Create(&module);
}
