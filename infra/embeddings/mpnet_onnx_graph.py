"""The MPNet encoder (as in all-mpnet-base-v2) written out as an ONNX graph with onnx.helper, from its weights as
numpy arrays (the safetensors names of the Hugging Face checkpoint). Output: the last hidden state [batch, tokens,
hidden]; pooling is the server's job.

The graph follows the reference model step by step:
- embeddings: word + position, position ids counted RoBERTa-style over the non-padding tokens from padding_idx + 1,
  then LayerNorm;
- one relative position bias [1, heads, tokens, tokens] computed once and shared by every layer: the T5-style
  bucket of (key position − query position) (32 buckets, half per direction, exact below 8, logarithmic to 128)
  looked up in encoder.relative_attention_bias; the bucket of each distance is folded into a per-distance table
  when the graph is built, so the graph only gathers;
- 12 post-LayerNorm layers: self-attention (scores / sqrt(head size) + position bias + padding mask, softmax),
  output projection, residual, LayerNorm; then a GELU (erf) feed-forward, residual, LayerNorm.
Linear layers are MatMul with the transposed weight as an initializer plus Add, the shape dynamic int8
quantisation (onnxruntime.quantization) recognises.
"""
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def relative_position_buckets(distances, buckets=32, max_distance=128):
    """The bucket of each relative position (key − query), as MPNet computes it, in float32 like the reference."""
    n = -distances
    half = buckets // 2
    result = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        scaled = np.log(n.astype(np.float32) / np.float32(exact)) / np.float32(math.log(max_distance / exact)) * np.float32(half - exact)
    large = np.minimum(exact + np.nan_to_num(scaled, neginf=0).astype(np.int64), half - 1)
    return result + np.where(n < exact, n, large)


class GraphBuilder:
    def __init__(self):
        self.nodes, self.initializers, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, hint, array):
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, kind, inputs, hint=None, **attributes):
        output = self.name(hint or kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [output], name=output, **attributes))
        return output

    def linear(self, x, weight, bias, hint):
        # torch Linear keeps [out, in]; MatMul wants [in, out].
        product = self.op("MatMul", [x, self.constant(f"{hint}.weight_t", np.ascontiguousarray(weight.T))], f"{hint}.matmul")
        return self.op("Add", [product, self.constant(f"{hint}.bias", bias)], hint)

    def layer_norm(self, x, weights, prefix, epsilon):
        return self.op("LayerNormalization", [x, self.constant(f"{prefix}.weight", weights[f"{prefix}.weight"]), self.constant(f"{prefix}.bias", weights[f"{prefix}.bias"])], f"{prefix}", axis=-1, epsilon=epsilon)


def build_mpnet(weights, config, max_tokens):
    """An onnx.ModelProto of the encoder; weights: name → numpy array; config: the checkpoint's config.json."""
    g = GraphBuilder()
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    head_size = hidden // heads
    epsilon = float(config["layer_norm_eps"])
    padding = int(config["pad_token_id"])
    longest = config["max_position_embeddings"] - padding - 1
    if max_tokens > longest:
        raise ValueError(f"max_tokens {max_tokens} is over the {longest} positions the model has")

    # Position ids: padding_idx + running count of non-padding tokens; padding keeps padding_idx.
    real = g.op("Cast", [g.op("Not", [g.op("Equal", ["input_ids", g.constant("pad_id", np.array(padding, np.int64))])])], to=TensorProto.INT64)
    positions = g.op("Add", [g.op("Mul", [g.op("CumSum", [real, g.constant("axis1", np.array(1, np.int64))]), real]), g.constant("padding_idx", np.array(padding, np.int64))])
    words = g.op("Gather", [g.constant("embeddings.word_embeddings.weight", weights["embeddings.word_embeddings.weight"]), "input_ids"])
    placed = g.op("Gather", [g.constant("embeddings.position_embeddings.weight", weights["embeddings.position_embeddings.weight"]), positions])
    x = g.layer_norm(g.op("Add", [words, placed]), weights, "embeddings.LayerNorm", epsilon)

    # Relative position bias: per-distance table [2L−1, heads] gathered at (key − query + L − 1), → [1, heads, S, S].
    distances = np.arange(-(longest - 1), longest, dtype=np.int64)
    table = weights["encoder.relative_attention_bias.weight"][relative_position_buckets(distances, config.get("relative_attention_num_buckets", 32))]
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), g.constant("one", np.array(1, np.int64))], axis=0)
    steps = g.op("Range", [g.constant("zero", np.array(0, np.int64)), length, g.constant("step", np.array(1, np.int64))])
    relative = g.op("Sub", [g.op("Unsqueeze", [steps, g.constant("axes0", np.array([0], np.int64))]), g.op("Unsqueeze", [steps, g.constant("axes1", np.array([1], np.int64))])])
    shifted = g.op("Add", [relative, g.constant("offset", np.array(longest - 1, np.int64))])
    by_head = g.op("Transpose", [g.op("Gather", [g.constant("relative_bias_by_distance", table.astype(np.float32)), shifted])], perm=[2, 0, 1])
    position_bias = g.op("Unsqueeze", [by_head, g.constant("axes0b", np.array([0], np.int64))])
    # Padding mask: −1e9 on padded keys, [batch, 1, 1, S]; added once to the shared bias.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    masked = g.op("Mul", [g.op("Sub", [g.constant("one_f", np.array(1, np.float32)), mask]), g.constant("minus_big", np.array(-1e9, np.float32))])
    key_mask = g.op("Unsqueeze", [masked, g.constant("axes12", np.array([1, 2], np.int64))])
    bias = g.op("Add", [position_bias, key_mask], "attention_bias")

    split_heads = g.constant("split_heads", np.array([0, 0, heads, head_size], np.int64))
    merge_heads = g.constant("merge_heads", np.array([0, 0, hidden], np.int64))
    scale = g.constant("scale", np.array(1 / math.sqrt(head_size), np.float32))
    root_half = g.constant("sqrt_half", np.array(1 / math.sqrt(2), np.float32))
    half = g.constant("half", np.array(0.5, np.float32))
    one = g.constant("one_g", np.array(1, np.float32))
    for number in range(config["num_hidden_layers"]):
        prefix = f"encoder.layer.{number}"
        attention = f"{prefix}.attention.attn"

        def heads_of(kind, perm):
            projected = g.linear(x, weights[f"{attention}.{kind}.weight"], weights[f"{attention}.{kind}.bias"], f"{attention}.{kind}")
            return g.op("Transpose", [g.op("Reshape", [projected, split_heads])], perm=perm)

        query, key, value = heads_of("q", [0, 2, 1, 3]), heads_of("k", [0, 2, 3, 1]), heads_of("v", [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [query, key]), scale]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), value])
        merged = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        projected = g.linear(merged, weights[f"{attention}.o.weight"], weights[f"{attention}.o.bias"], f"{attention}.o")
        attended = g.layer_norm(g.op("Add", [projected, x]), weights, f"{prefix}.attention.LayerNorm", epsilon)
        inner = g.linear(attended, weights[f"{prefix}.intermediate.dense.weight"], weights[f"{prefix}.intermediate.dense.bias"], f"{prefix}.intermediate")
        gelu = g.op("Mul", [g.op("Mul", [inner, half]), g.op("Add", [g.op("Erf", [g.op("Mul", [inner, root_half])]), one])])
        output = g.linear(gelu, weights[f"{prefix}.output.dense.weight"], weights[f"{prefix}.output.dense.bias"], f"{prefix}.output")
        x = g.layer_norm(g.op("Add", [output, attended]), weights, f"{prefix}.output.LayerNorm", epsilon)

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    graph = helper.make_graph(
        g.nodes, "mpnet_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", hidden])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="ragtime")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=False)
    return model


def weight_matmuls(model):
    """The names of the MatMul nodes that multiply by a weight (the linear layers): the ones worth quantising;
    the attention's activation × activation products stay fp32."""
    weights = {initializer.name for initializer in model.graph.initializer}
    return [node.name for node in model.graph.node if node.op_type == "MatMul" and node.input[1] in weights]
