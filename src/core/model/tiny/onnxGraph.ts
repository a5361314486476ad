// Writes the tiny test transformer as an ONNX graph (standard ops, opset 17) with the inputs and
// outputs of a Hugging Face / Optimum decoder export: input_ids, attention_mask, position_ids and
// (with a cache) past_key_values.{i}.key|value → logits and present.{i}.key|value.
// Architecture (reference.ts is the same network in plain code): token embedding + learned
// positions, per layer pre-RMSNorm causal self-attention (grouped KV heads) and a SwiGLU MLP, both
// residual, final RMSNorm, untied LM head.
import { onnx } from 'onnx-proto';
import type { TinyWeights } from './weights';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
type Dim = number | string;

class Graph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private n = 0;

  weight(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  ints(values: number[], scalar = false): string {
    const name = `c${this.n++}`;
    const data = BigInt64Array.from(values, BigInt);
    this.initializers.push({ name, dims: scalar ? [] : [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  float(value: number): string {
    const name = `c${this.n++}`;
    this.initializers.push({ name, dims: [], dataType: FLOAT, rawData: new Uint8Array(Float32Array.of(value).buffer) });
    return name;
  }

  op(opType: string, inputs: string[], attrs: Record<string, number | number[]> = {}, output?: string): string {
    const out = output ?? `t${this.n++}`;
    const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }
        : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
    );
    this.nodes.push({ opType, input: inputs, output: [out], attribute, name: `${opType}_${this.n++}` });
    return out;
  }
}

function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** The serialized ModelProto. */
export function tinyOnnxModel(w: TinyWeights, withKvCache: boolean): Uint8Array {
  const { hidden: H, heads, kvHeads, headDim: D, vocab: V, ffn: F, maxPos, eps } = w.config;
  const g = new Graph();
  const inputs = [
    valueInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
  ];
  const outputs = [valueInfo('logits', FLOAT, ['batch_size', 'sequence_length', V])];

  const embed = g.weight('model.embed_tokens.weight', [V, H], w.embed);
  const pos = g.weight('model.embed_positions.weight', [maxPos, H], w.pos);
  let h = g.op('Add', [g.op('Gather', [embed, 'input_ids'], { axis: 0 }), g.op('Gather', [pos, 'position_ids'], { axis: 0 })]);

  // Mask [batch, 1, seq, total]: key j is visible to query i (absolute index past+i) when j ≤ past+i
  // and attention_mask[j] = 1. Computed from the shapes, so it holds with and without a cache.
  const one = g.ints([1], true);
  const seq = g.op('Gather', [g.op('Shape', ['input_ids']), one], { axis: 0 });
  const total = g.op('Gather', [g.op('Shape', ['attention_mask']), one], { axis: 0 });
  const keyIdx = g.op('Range', [g.ints([0], true), total, one]);
  const queryIdx = g.op('Unsqueeze', [g.op('Range', [g.op('Sub', [total, seq]), total, one]), g.ints([1])]);
  const causal = g.op('LessOrEqual', [keyIdx, queryIdx]);
  const padding = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: onnx.TensorProto.DataType.BOOL }), g.ints([1, 2])]);
  const mask = g.op('And', [causal, padding]);
  // A finite "minus infinity": a row with nothing visible (a padding query) softmaxes to a uniform
  // row instead of NaN, which would otherwise leak into real rows through 0 · NaN.
  const masked = g.float(-3.4028234663852886e38);
  const scale = g.float(1 / Math.sqrt(D));
  const epsC = g.float(eps);

  const rmsNorm = (x: string, weight: string) => {
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [ms, epsC])])]), weight]);
  };
  /** [b, s, n·D] → [b, n, s, D] */
  const splitHeads = (x: string, n: number) => g.op('Transpose', [g.op('Reshape', [x, g.ints([0, 0, n, D])])], { perm: [0, 2, 1, 3] });
  /** Grouped-query attention: each KV head serves heads/kvHeads query heads. */
  const repeatKv = (x: string) => {
    if (kvHeads === heads) return x;
    const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.ints([2])]), g.ints([1, 1, heads / kvHeads, 1, 1])]);
    return g.op('Reshape', [expanded, g.ints([0, heads, -1, D])]);
  };

  w.layers.forEach((l, i) => {
    const p = `model.layers.${i}`;
    const x = rmsNorm(h, g.weight(`${p}.input_layernorm.weight`, [H], l.attnNorm));
    const q = splitHeads(g.op('MatMul', [x, g.weight(`${p}.self_attn.q_proj.weight`, [H, heads * D], l.wq)]), heads);
    let k = splitHeads(g.op('MatMul', [x, g.weight(`${p}.self_attn.k_proj.weight`, [H, kvHeads * D], l.wk)]), kvHeads);
    let v = splitHeads(g.op('MatMul', [x, g.weight(`${p}.self_attn.v_proj.weight`, [H, kvHeads * D], l.wv)]), kvHeads);
    if (withKvCache) {
      for (const kind of ['key', 'value'] as const) {
        inputs.push(valueInfo(`past_key_values.${i}.${kind}`, FLOAT, ['batch_size', kvHeads, 'past_sequence_length', D]));
        outputs.push(valueInfo(`present.${i}.${kind}`, FLOAT, ['batch_size', kvHeads, 'total_sequence_length', D]));
      }
      k = g.op('Concat', [`past_key_values.${i}.key`, k], { axis: 2 }, `present.${i}.key`);
      v = g.op('Concat', [`past_key_values.${i}.value`, v], { axis: 2 }, `present.${i}.value`);
    }
    const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [repeatKv(k)], { perm: [0, 1, 3, 2] })]), scale]);
    const probs = g.op('Softmax', [g.op('Where', [mask, scores, masked])], { axis: -1 });
    const att = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, repeatKv(v)])], { perm: [0, 2, 1, 3] }), g.ints([0, 0, heads * D])]);
    h = g.op('Add', [h, g.op('MatMul', [att, g.weight(`${p}.self_attn.o_proj.weight`, [heads * D, H], l.wo)])]);

    const y = rmsNorm(h, g.weight(`${p}.post_attention_layernorm.weight`, [H], l.mlpNorm));
    const gate = g.op('MatMul', [y, g.weight(`${p}.mlp.gate_proj.weight`, [H, F], l.wGate)]);
    const up = g.op('MatMul', [y, g.weight(`${p}.mlp.up_proj.weight`, [H, F], l.wUp)]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    h = g.op('Add', [h, g.op('MatMul', [act, g.weight(`${p}.mlp.down_proj.weight`, [F, H], l.wDown)])]);
  });
  const final = rmsNorm(h, g.weight('model.norm.weight', [H], w.finalNorm));
  g.op('MatMul', [final, g.weight('lm_head.weight', [H, V], w.lmHead)], {}, 'logits');

  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'itool-studio testModels',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'tiny_decoder', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  };
  return onnx.ModelProto.encode(model).finish();
}
