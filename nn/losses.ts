/**
 * Losses written on the device: each returns a 1×1 tensor (read it with `.item()` only when you
 * print it) and adds its gradient into a caller tensor.
 *  - spanCrossEntropy: Σ_rows Σ_spans CE(softmax(logits_span), target) · scale (CTGAN's
 *    conditional loss with scale = 1/batch and target −1 where a span is not conditioned; TVAE's
 *    discrete reconstruction term).
 *  - mse: scale Σ (y − t)².
 *  - meanOutput: scale Σ y with dy = scale (the WGAN critic/generator loss, scale = ±1/rows).
 */
import type { Device } from "./device.js";
import { NnError } from "./errors.js";
import type { Tensor } from "./tensor.js";

export function spanCrossEntropy(logits: Tensor, spanTable: Tensor, targets: Tensor, scale: number, dlogits: Tensor | null, lossOut?: Tensor): Tensor {
  const spanCount = spanTable.size / 3;
  if (targets.dtype !== "i32" || targets.rows !== logits.rows || targets.cols !== spanCount)
    throw new NnError(`cross-entropy targets must be int32 ${logits.rows}×${spanCount} (rows × spans), got ${targets.dtype} ${targets.rows}×${targets.cols}`);
  if (dlogits && (dlogits.rows !== logits.rows || dlogits.cols !== logits.cols)) throw new NnError("cross-entropy: dlogits must have the logits' shape");
  const loss = lossOut ?? logits.device.zeros(1, 1);
  logits.device.ops.spanCrossEntropy(
    logits.rows,
    logits.cols,
    spanCount,
    spanTable.pointer,
    logits.pointer,
    targets.pointer,
    scale,
    loss.pointer,
    dlogits?.pointer ?? null,
  );
  return loss;
}

export function mse(y: Tensor, target: Tensor, scale: number, dy: Tensor | null, lossOut?: Tensor): Tensor {
  if (y.size !== target.size || (dy && dy.size !== y.size)) throw new NnError("mse: prediction, target and gradient must have the same size");
  const loss = lossOut ?? y.device.zeros(1, 1);
  y.device.ops.mse(y.size, y.pointer, target.pointer, scale, loss.pointer, dy?.pointer ?? null);
  return loss;
}

/** loss = scale Σ y; dy is set (not added) to scale everywhere when given. */
export function meanOutput(device: Device, y: Tensor, scale: number, dy: Tensor | null, lossOut?: Tensor): Tensor {
  const loss = lossOut ?? device.zeros(1, 1);
  device.ops.sum(y.size, y.pointer, scale, loss.pointer);
  if (dy) device.ops.fill(dy.size, scale, dy.pointer);
  return loss;
}
