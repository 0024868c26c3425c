// Fused local adversarial loss (Shrivastava et al. 2017, eq. 4) and its gradient.
//
// FusedLocalAdversarial: logits [B, H, W, C] -> loss [B], the per-example sum (or mean, attr
// `mean`) over the H x W patches of the softmax cross-entropy against class `target`.
// One pass per patch computes a stable log-sum-exp; no [B, H, W] intermediate is written.
// FusedLocalAdversarialGrad: d loss / d logits = (softmax - onehot(target)) * upstream[b]
// (divided by H * W for the mean). CPU kernels, sharded over the batch.

#include <algorithm>
#include <cmath>

#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/util/work_sharder.h"

namespace {

using ::tensorflow::DEVICE_CPU;
using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Status;
using ::tensorflow::Tensor;
using ::tensorflow::TensorShape;
using ::tensorflow::errors::InvalidArgument;
using ::tensorflow::shape_inference::InferenceContext;
using ::tensorflow::shape_inference::ShapeHandle;

REGISTER_OP("FusedLocalAdversarial")
    .Input("logits: float")
    .Output("loss: float")
    .Attr("target: int >= 0")
    .Attr("mean: bool = false")
    .SetShapeFn([](InferenceContext* c) {
      ShapeHandle logits;
      TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 4, &logits));
      c->set_output(0, c->Vector(c->Dim(logits, 0)));
      return Status();
    });

REGISTER_OP("FusedLocalAdversarialGrad")
    .Input("logits: float")
    .Input("upstream: float")
    .Output("grad_logits: float")
    .Attr("target: int >= 0")
    .Attr("mean: bool = false")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(0));
      return Status();
    });

// Reads the attrs and checks the logits; shared by the forward and the gradient kernel.
class LocalAdversarialBase : public OpKernel {
 public:
  explicit LocalAdversarialBase(OpKernelConstruction* ctx) : OpKernel(ctx) {
    OP_REQUIRES_OK(ctx, ctx->GetAttr("target", &target_));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("mean", &mean_));
  }

 protected:
  // OK when the logits are [B, H, W, C] with C > target.
  Status CheckLogits(const Tensor& logits) const {
    if (logits.dims() != 4) {
      return InvalidArgument("logits must be [B, H, W, C]; got shape ",
                             logits.shape().DebugString());
    }
    if (target_ >= logits.dim_size(3)) {
      return InvalidArgument("target class ", target_, " is out of range for ",
                             logits.dim_size(3), " classes");
    }
    return Status();
  }

  // Cost hint for the sharder: a few exp/log per logit.
  static int64_t CostPerExample(const Tensor& logits) {
    const int64_t batch = std::max<int64_t>(1, logits.dim_size(0));
    return std::max<int64_t>(1, 30 * logits.NumElements() / batch);
  }

  int target_;
  bool mean_;
};

class FusedLocalAdversarialOp : public LocalAdversarialBase {
 public:
  using LocalAdversarialBase::LocalAdversarialBase;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& logits = ctx->input(0);
    OP_REQUIRES_OK(ctx, CheckLogits(logits));
    const int64_t batch = logits.dim_size(0);
    const int64_t patches = logits.dim_size(1) * logits.dim_size(2);
    const int64_t classes = logits.dim_size(3);
    Tensor* loss = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({batch}), &loss));
    const float* in = logits.flat<float>().data();
    float* out = loss->flat<float>().data();
    const int target = target_;
    const double scale = (mean_ && patches > 0) ? 1.0 / patches : 1.0;
    auto work = [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        double sum = 0.0;
        const float* row = in + b * patches * classes;
        for (int64_t p = 0; p < patches; ++p, row += classes) {
          float top = row[0];
          for (int64_t k = 1; k < classes; ++k) top = std::max(top, row[k]);
          float total = 0.f;
          for (int64_t k = 0; k < classes; ++k) total += std::exp(row[k] - top);
          sum += static_cast<double>(top + std::log(total) - row[target]);
        }
        out[b] = static_cast<float>(sum * scale);
      }
    };
    auto* workers = ctx->device()->tensorflow_cpu_worker_threads()->workers;
    tensorflow::Shard(ctx->device()->tensorflow_cpu_worker_threads()->num_threads, workers,
                      batch, CostPerExample(logits), work);
  }
};

class FusedLocalAdversarialGradOp : public LocalAdversarialBase {
 public:
  using LocalAdversarialBase::LocalAdversarialBase;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& logits = ctx->input(0);
    const Tensor& upstream = ctx->input(1);
    OP_REQUIRES_OK(ctx, CheckLogits(logits));
    OP_REQUIRES(ctx, upstream.dims() == 1 && upstream.dim_size(0) == logits.dim_size(0),
                InvalidArgument("upstream gradient must be [B] = [", logits.dim_size(0),
                                "]; got shape ", upstream.shape().DebugString()));
    const int64_t batch = logits.dim_size(0);
    const int64_t patches = logits.dim_size(1) * logits.dim_size(2);
    const int64_t classes = logits.dim_size(3);
    Tensor* grad = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, logits.shape(), &grad));
    const float* in = logits.flat<float>().data();
    const float* up = upstream.flat<float>().data();
    float* out = grad->flat<float>().data();
    const int target = target_;
    const float scale = (mean_ && patches > 0) ? 1.f / patches : 1.f;
    auto work = [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        const float g = up[b] * scale;
        const int64_t offset = b * patches * classes;
        const float* row = in + offset;
        float* dst = out + offset;
        for (int64_t p = 0; p < patches; ++p, row += classes, dst += classes) {
          float top = row[0];
          for (int64_t k = 1; k < classes; ++k) top = std::max(top, row[k]);
          float total = 0.f;
          for (int64_t k = 0; k < classes; ++k) {
            dst[k] = std::exp(row[k] - top);
            total += dst[k];
          }
          for (int64_t k = 0; k < classes; ++k) {
            dst[k] = g * (dst[k] / total - (k == target ? 1.f : 0.f));
          }
        }
      }
    };
    auto* workers = ctx->device()->tensorflow_cpu_worker_threads()->workers;
    tensorflow::Shard(ctx->device()->tensorflow_cpu_worker_threads()->num_threads, workers,
                      batch, 2 * CostPerExample(logits), work);
  }
};

REGISTER_KERNEL_BUILDER(Name("FusedLocalAdversarial").Device(DEVICE_CPU), FusedLocalAdversarialOp);
REGISTER_KERNEL_BUILDER(Name("FusedLocalAdversarialGrad").Device(DEVICE_CPU),
                        FusedLocalAdversarialGradOp);

}  // namespace
