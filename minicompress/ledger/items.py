"""The ledger's items: the seed document read claim by claim, from its keywords to its signature.

Each item is ``Item(section, term, claim, status, evidence, where, check)``:
the seed's section; its key term or number (a term, never a sentence); the
claim in minicompress's own words; a status; the evidence; where
minicompress implements it; and, for every item that is wrong or
misleading, the ``verify`` row that recomputes or measures it. Items that
share a row share it because one measurement answers them all (the seed
repeats itself: §1, §3, §6, §8 and §9 say the same things).
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("right", "wrong", "misleading", "not checkable", "out of scope")


@dataclass(frozen=True)
class Item:
    section: str
    term: str
    claim: str
    status: str
    evidence: str
    where: str = "-"
    check: str | None = None


# verify rows, by the name they print under
PARAMS = "quantization keeps the parameter count"
MACS = "quantization keeps the multiply-accumulate count"
KD_COST = "what distillation adds to training a student"
STATIC = "static vs dynamic: ranges at inference, not training"
ROUND = "§3.2.1 as written: round each weight"
DERIV = "§4.2 'derivation' against §4.1"
TEX = "§4.1 formulas typeset"
LG_EMPTY = "L_g has no student in it"
SETUP = "§5.1 set-up against the §5.2 listing"
TEACHER = "§5.2 listing: the teacher never reaches the student"
CODES_AS_W = "§5.2 listing: codes used as weights"
DIAGRAM = "§2.3 diagram against the §2.1-2.2 text"
HAN = "reference: Han et al., Deep Compression"
HINTON = "reference: Hinton et al., distillation"
FULL = "full precision is already rounded: float32(0.1)"
SOFT = "soft labels: softmax(z/T), not a normalisation"
KEPT = "§2.1 'performance kept' at every precision"
CODES = "ŵ = round(w/q), w=[1.2,2.5,3.7], q=0.1"
L197 = "L(ŵ) = Σ(ŵ_i − y_i)², y = [1, 2, 3]"
TIES = "tie 0.25/0.1 = 2.5: half_away vs half_even"
LOW_OK = "low precision keeps accuracy (teacher, fp16 / int8)"
LOW_BITS = "very low precision costs accuracy"
FIXED = "fixed point Q3.4: range and step"
FP16 = "float16(0.1), bfloat16(0.1)"
LG = "L_g(ŷ, y_g) = Σ(ŷ_i − y_g,i)²"
LS = "L_s(ŷ, y_s) = Σ(ŷ_i − y_s,i)²"
SUMS = "seed's soft label and outputs are distributions"
LISTING = "seed §5.2 code listing, rewritten"
LOGITS = "high T: T·(p_s − p_t) → (z_s − z_t)/N"
LSQ = "LSQ ∂ŵ/∂s = round(w/s) − w/s (inside)"
DC_RATIO = "r = n·b / (n·log2(k) + k·b), n=16, k=4"
INT8 = "int8 integer-only accuracy"

R, W, M, N, O = STATUSES
TOUR = "the tour's table (python -m minicompress)"

ITEMS = (
    # --- keywords and abstract ------------------------------------------------------------------
    Item("abstract", "关键词", "The keywords name compression, quantization, distillation, efficiency and storage.",
         R, "they match the topics the document covers", "README: what minicompress covers"),
    Item("abstract", "量化和知识蒸馏", "Quantization and distillation are two key techniques of model compression.",
         R, "reference: Han et al. 2016 and Hinton et al. 2015 (as corrected in §7.3's rows)",
         "quant/, distill/"),
    Item("abstract", "数学模型和具体实例", "The document explains both techniques through formulas and worked examples.",
         M, "three of the four worked numbers of §4.3 are wrong, and the code example does not run",
         "checks/quant.py, checks/distill.py", L197),
    Item("abstract", "展望未来", "It closes with results, trends and challenges.", N,
         "a statement about the document's plan, not about compression"),
    # --- §1 background --------------------------------------------------------------------------
    Item("§1", "庞大的参数规模", "Deep models have many parameters and need much compute and storage.", R,
         "measured: the 64-256-256-10 teacher has 85,002 parameters (340,008 bytes in float32); large models "
         "have billions", "experiments/teacher.py; bill.py", PARAMS),
    Item("§1", "减少参数数量和计算量", "Compression aims to cut parameters and computation to gain efficiency.",
         R, "right of pruning and distillation; for quantization see §3.1's rows", "prune/, distill/"),
    Item("§1", "量化、剪枝、蒸馏", "Compression comprises quantization, pruning and distillation.", R,
         "reference: the three stages of Han et al. 2016 plus Hinton et al. 2015 (low-rank factorisation is a "
         "fourth family the seed leaves out)", "quant/, prune/, distill/"),
    Item("§1", "降低参数精度", "Quantization shrinks a model by storing its parameters at lower precision.", R,
         "measured: float32 340,008 bytes → int8 integer-only 89,190 bytes (3.81×)", "bill.py", PARAMS),
    Item("§1", "删除神经元或连接", "Pruning removes unneeded neurons or connections.", R,
         "measured: the tour's pruned rows (weights at 90% sparsity; whole neurons 64-128-128-10)",
         "prune/magnitude.py, prune/neurons.py"),
    Item("§1", "保持相似的性能", "Distillation lets a small model keep performance close to the large one's.", R,
         "measured: teacher 98.4%, 64-16-10 students 95.9-96.8%; at full labels distillation itself is within "
         "noise of hard labels, with 50 labels it adds +10.9 points [+8.0, +14.0]", TOUR),
    Item("§1", "各自的优势", "Each technique has its own advantages in different settings.", N,
         "too general to test: it names no quantity to measure"),
    # --- §2.1 quantization ----------------------------------------------------------------------
    Item("§2.1", "量化表示 / 量化量化", "Quantization has two steps: representation, then 'quantization-quantization'.",
         N, "a naming question: 量化量化 is no term of the field (see the glossary); the standard steps are "
         "choosing q and z, rounding, and optionally training (QAT)", "taxonomy.py; glossary"),
    Item("§2.1", "浮点 → 整数", "Representation turns float parameters into low-precision integers.", R,
         "live: ŵ = round(w/q) gives [12, 25, 37] for §4.3's numbers", "quant/uniform.py: quantize", CODES),
    Item("§2.1", "全精度量化", "Full-precision 'quantization' keeps all of the information.", M,
         "float32 is itself a rounding (float32(0.1) ≠ 0.1); it is the reference, not a quantization",
         "quant/fixed_point.py: to_low_precision", FULL),
    Item("§2.1", "低精度量化、小数量化", "Low-precision and fractional quantization save storage with performance "
         "guaranteed.", M, "measured: fp16 and int8 keep the teacher's 98.4%, int2 falls to 49.1%",
         "quant/model.py: quantize_model, round_model", KEPT),
    Item("§2.1", "小数量化", "'Fractional' quantization is a kind of representation.", R,
         "read as fixed point Qm.n (a non-standard name; see the glossary): Q3.4 has step 1/16 and range "
         "[−8, 7.9375]", "quant/fixed_point.py: to_fixed", FIXED),
    Item("§2.1", "计算和优化", "The second step computes with and optimises the quantized parameters.", N,
         "too vague to test; its nearest standard meanings are calibration and QAT", "quant/qat.py"),
    Item("§2.1", "静态量化", "Static quantization keeps its parameters fixed during training.", W,
         "measured: static means activation ranges fixed by calibration before inference; no training is "
         "involved", "quant/model.py: quantize_model(mode='static')", STATIC),
    Item("§2.1", "动态量化", "Dynamic quantization adjusts its parameters during training.", W,
         "measured: dynamic means ranges taken from each batch at inference; the same image gets other "
         "outputs in another batch", "quant/model.py: quantize_model(mode='dynamic')", STATIC),
    Item("§2.1", "自适应量化", "Adaptive quantization adapts its parameters to the model's performance.", N,
         "no standard meaning; the nearest are a learned step (LSQ) and mixed precision, both implemented",
         "quant/qat.py: LSQLinear; experiments/where.py", LSQ),
    # --- §2.2 distillation ----------------------------------------------------------------------
    Item("§2.2", "知识蒸馏", "Distillation transfers a large model's knowledge to a small one.", R,
         "reference: Hinton et al. 2015 (and Buciluǎ et al. 2006 before it)", "distill/"),
    Item("§2.2", "模型蒸馏 / 参数蒸馏", "Distillation has two steps, model distillation then parameter "
         "distillation.", N, "a naming question: distillation is one step (train the student on the "
         "teacher's soft targets); the two names split it in two (see the glossary)", "distill/train.py"),
    Item("§2.2", "软标签", "Model distillation uses the large model's outputs as the small model's soft labels.",
         R, "live: soft labels softmax(z/T) are the targets of the KD loss", "distill/soft_labels.py", SOFT),
    Item("§2.2", "单标签 / 多标签 / 混合标签", "Single-, multi- and mixed-label distillation use one, several or "
         "both kinds of labels.", N, "the terms are not in the literature; read as one teacher, several "
         "teachers, and α·soft + (1−α)·hard (see the glossary)",
         "distill/variants.py: multi_teacher_targets, mixed_targets"),
    Item("§2.2", "参数蒸馏", "Parameter distillation optimises the small model's parameters to learn the "
         "knowledge.", R, "it is the training step of ordinary KD; it repeats model distillation",
         "distill/train.py: distill"),
    Item("§2.2", "硬蒸馏", "Hard distillation uses the large model's output as a hard label.", R,
         "reference: Touvron et al. 2021 (DeiT) name it so: the teacher's arg-max as the label",
         "distill/variants.py: hard_label_loss"),
    Item("§2.2", "软蒸馏", "Soft distillation uses the output as soft labels.", R,
         "it is Hinton's KD; the same thing as 'model distillation' above", "distill/kd_loss.py: kd_loss"),
    # --- §2.3 diagram ---------------------------------------------------------------------------
    Item("§2.3", "A → C, D, E", "Static, dynamic and adaptive quantization are kinds of representation.", W,
         "live: the text makes them kinds of the second step (B); 8 of the diagram's 14 edges contradict the "
         "text", "figures/seed_taxonomy.png", DIAGRAM),
    Item("§2.3", "B → F, G", "Model and parameter distillation hang under quantization-quantization.", W,
         "live: the text makes distillation a technique of its own", "figures/seed_taxonomy.png", DIAGRAM),
    Item("§2.3", "C→H, D→I, E→J", "Static goes with full precision, dynamic with low, adaptive with fractional.",
         W, "live: the text lists full/low/fractional as representations, unrelated to static/dynamic",
         "figures/seed_taxonomy.png", DIAGRAM),
    Item("§2.3", "F → K, L, M; G → N, O", "Label kinds sit under model distillation, hard/soft under parameter "
         "distillation.", R, "live: these 5 edges and A → B are the 6 that agree with the text",
         "taxonomy.py", DIAGRAM),
    Item("§2.3", "基本原理和架构", "The diagram shows the principles and architecture of both techniques.", M,
         "live: it has no teacher, student, loss, step q or data flow, and 7 relations of the text are missing",
         "figures/seed_taxonomy.png (corrected diagram)", DIAGRAM),
    # --- §3.1 ------------------------------------------------------------------------------------
    Item("§3.1", "减少参数数量", "Quantization reduces the number of parameters.", W,
         "measured: 85,002 parameters before and after; the bytes fall 3.81×", "bill.py", PARAMS),
    Item("§3.1", "减少计算量", "Quantization reduces the amount of computation.", M,
         "measured: the same 84,480 multiply-accumulates per image; each is cheaper in int8, and the time "
         "depends on the kernels (the row prints both)", "integer/mlp.py; kernels/", MACS),
    Item("§3.1", "两个步骤", "Both techniques consist of two steps each.", N,
         "a naming question; see §2.1 and §2.2"),
    # --- §3.2.1 ----------------------------------------------------------------------------------
    Item("§3.2.1", "四舍五入", "Quantize by rounding each parameter's value to an integer.", M,
         "measured: without a step q, 99.99% of the teacher's weights round to 0 and accuracy falls to "
         "chance; §4.1 has the step", "quant/uniform.py: quantize", ROUND),
    Item("§3.2.1", "精度和性能之间取得平衡", "The second step balances precision against performance.", N,
         "too vague to test; the tour's rows measure the trade-off (bits against accuracy)", TOUR),
    # --- §3.2.2 ----------------------------------------------------------------------------------
    Item("§3.2.2", "归一化处理", "Soft labels come from normalising the large model's output.", M,
         "live: soft labels are softmax(z/T) of logits; normalising the seed's y_g does not give its ŷ",
         "distill/soft_labels.py", SOFT),
    Item("§3.2.2", "误差最小", "Train the small model so its outputs approach the soft labels.", R,
         "live: the KD gradient T·(p_s − p_t) vanishes when they match; at high T it is logit matching",
         "distill/kd_loss.py", LOGITS),
    # --- §3.3 ------------------------------------------------------------------------------------
    Item("§3.3", "显著减少参数数量和计算量", "Quantization markedly reduces parameters and computation.", W,
         "measured: parameters unchanged (85,002); MACs unchanged (84,480)", "bill.py", PARAMS),
    Item("§3.3", "降低模型的精度", "Quantization may lower accuracy, especially at low precision.", R,
         "measured: int2 nearest rounding 49.1% against the teacher's 98.4%", "quant/model.py", LOW_BITS),
    Item("§3.3", "保持相似的性能", "Distillation lets a small model keep similar performance.", R,
         "measured: see §1; the gain over hard labels appears when labels are scarce", TOUR),
    Item("§3.3", "大量的计算资源和时间", "Distillation may need large compute and time.", M,
         "measured: given a teacher it adds 7.9% to a student's training; training the teacher is the cost "
         "(47.6× the student's)", "experiments/distill.py", KD_COST),
    # --- §3.4 ------------------------------------------------------------------------------------
    Item("§3.4", "计算机视觉", "Both apply to computer vision, e.g. small models on phones.", O,
         "the digits are an 8×8 vision task, but phones and detection are beyond an MLP"),
    Item("§3.4", "自然语言处理", "Both apply to NLP, with faster models on mobile devices.", O,
         "language models are beyond an MLP on digits"),
    Item("§3.4", "语音识别", "Both apply to speech recognition on embedded devices.", O,
         "speech models are beyond an MLP on digits"),
    # --- §4.1 ------------------------------------------------------------------------------------
    Item("§4.1", "ŵ = round(w/q)", "Quantized parameter = round(w / q) for a step q.", R,
         "live: [1.2, 2.5, 3.7] / 0.1 → [12, 25, 37]", "quant/uniform.py: quantize", CODES),
    Item("§4.1", "四舍五入", "round is round-half-up (四舍五入).", R,
         "live, with a nuance: ties go away from 0 here, NumPy rounds them to even; 0.25/0.1 is a tie, "
         "0.15/0.1 is not (float64)", "quant/rounding.py: round_half_away", TIES),
    Item("§4.1", "L(ŵ) = Σ(ŵ_i − y_i)²", "The quantization loss compares codes with the model's true outputs.", W,
         "live: codes (×10) minus targets measures the scale, not an error; the reconstruction "
         "Σ(q·ŵ − w)² is what quantization minimises", "quant/seed_loss.py", L197),
    Item("§4.1", "y_i", "y_i is the true value of the model's output.", M,
         "live: a loss on parameters needs the float weights w_i, not outputs (which have other units and "
         "another count); Σ(q·ŵ − w)² is the loss that makes sense", "quant/seed_loss.py: reconstruction_error",
         L197),
    Item("§4.1", "L_g(ŷ, y_g)", "Model distillation minimises Σ(ŷ − y_g)² between soft labels and the large "
         "model's output.", M, "live: no student quantity is in L_g, so it trains nothing",
         "distill/seed_losses.py", LG_EMPTY),
    Item("§4.1", "L_s(ŷ, y_s)", "Parameter distillation minimises Σ(ŷ − y_s)² for the small model.", R,
         "a valid but non-standard loss (squared error on probabilities); Hinton uses T²·KL, whose high-T "
         "limit is squared error on logits", "distill/seed_losses.py; distill/kd_loss.py", LOGITS),
    Item("§4.1", "y_g_i", "The formulas are well-formed LaTeX.", W,
         "live: y_g_i is a double subscript, an error in TeX; matplotlib's parser refuses it", "-", TEX),
    # --- §4.2 ------------------------------------------------------------------------------------
    Item("§4.2", "公式推导过程", "§4.2 derives the formulas of §4.1.", M,
         "live: all 4 formulas are copies of §4.1's; nothing is derived", "tutorials 1 and 6 derive gradients",
         DERIV),
    # --- §4.3 ------------------------------------------------------------------------------------
    Item("§4.3", "[12, 25, 37]", "w = [1.2, 2.5, 3.7], q = 0.1 give codes [12, 25, 37].", R,
         "live (1.2/0.1 is 11.999999999999998 in float64 and still rounds to 12)", "quant/uniform.py", CODES),
    Item("§4.3", "197", "The loss of the example is 197.", W,
         "live: (12−1)² + (25−2)² + (37−3)² = 1806; 197 matches no reading", "quant/seed_loss.py", L197),
    Item("§4.3", "y = [1, 2, 3]", "The example's true values are 1, 2, 3.", M,
         "live: they are floor(w), the integer parts of the weights, so the loss compares codes with "
         "truncated weights at another scale", "quant/seed_loss.py", L197),
    Item("§4.3", "y_g = [0.8, 0.2, 0.1]", "The large model outputs [0.8, 0.2, 0.1].", W,
         "live: it sums to 1.1, so it is no probability vector", "distill/soft_labels.py", SUMS),
    Item("§4.3", "ŷ = [0.9, 0.1, 0]", "The soft label is [0.9, 0.1, 0].", M,
         "live: its exact 0 needs logits 746·T apart, and it is not y_g normalised", "distill/soft_labels.py",
         SOFT),
    Item("§4.3", "0.02", "L_g of the example is 0.02.", W, "live: three squares of 0.1, so 0.03",
         "distill/seed_losses.py", LG),
    Item("§4.3", "0.26", "L_s of the example is 0.26.", W,
         "live: 0.09 + 0.04 + 0.01 = 0.14; the 0.26 equals KL(ŷ‖y_s) = 0.2551 to two places",
         "distill/seed_losses.py", LS),
    Item("§4.3", "基本原理和计算过程", "The example shows how both techniques compute.", M,
         "live: three of its four numbers are wrong", "tutorial 9", L197),
    # --- §5.1 ------------------------------------------------------------------------------------
    Item("§5.1", "Python 3.8", "Install Python 3.8 or later.", N,
         "advice about another environment; minicompress needs Python 3.11 or later"),
    Item("§5.1", "TensorFlow 或 PyTorch", "Install TensorFlow or PyTorch.", M,
         "live: the listing imports torch only; TensorFlow cannot run it", "pyproject.toml (NumPy only)", SETUP),
    Item("§5.1", "NumPy、Pandas", "Install NumPy and Pandas.", M, "live: the listing imports neither",
         "minicompress uses NumPy, Numba and matplotlib", SETUP),
    # --- §5.2 the listing ------------------------------------------------------------------------
    Item("§5.2", "nn.Linear(10, 3)", "fc1 is Linear(10, 3) and gets a 2×3 weight.", W,
         "live: shape mismatch; load_state_dict raises before anything runs",
         "experiments/seed_example.py (Linear(3, 2))", LISTING),
    Item("§5.2", "nn.Linear(3, 1)", "fc2 is Linear(3, 1) and gets weight [0.8, 0.2, 0.1] and bias [0].", W,
         "live: a (3,) weight and an integer bias for a (1, 3) layer", "experiments/seed_example.py", LISTING),
    Item("§5.2", "无激活函数", "The model is fc1 then fc2.", M,
         "with no activation between them, two linear layers are one linear map", "nn.py: MLP puts ReLU "
         "between layers", LISTING),
    Item("§5.2", "torch.randn(1, 10)", "The inputs have 10 features.", W,
         "the given weights take 3", "experiments/seed_example.py", LISTING),
    Item("§5.2", "[[12, 25, 37], …]", "The quantized model takes the codes as its weights.", W,
         "live: without q its every output is exactly 10× the original's", "quant/fake_quant.py", CODES_AS_W),
    Item("§5.2", "fc2 未量化", "Only fc1 of the quantized copy is quantized.", M,
         "fc2 stays in float, so the copy is half quantized", "experiments/seed_example.py", LISTING),
    Item("§5.2", "soft_labels 常量", "The soft labels are a fixed tensor [0.9, 0.1, 0].", W,
         "live: a constant, not any model's output", "distill/soft_labels.py", TEACHER),
    Item("§5.2", "argmax(dim=1)", "Hard labels are argmax over dim 1 of the soft labels.", W,
         "a 1-D tensor has no dim 1, so this raises", "distill/soft_labels.py: hard_labels", LISTING),
    Item("§5.2", "loss_g", "Model distillation is CrossEntropyLoss(soft_labels, hard_labels).", W,
         "live: two constants; the loss is 0.6184 at every step and reaches no parameter", "-", TEACHER),
    Item("§5.2", "loss_s", "Parameter distillation is MSELoss(quantized_output, soft_labels).", W,
         "a (1, 1) output against 3 probabilities, broadcast silently", "functional.py: mse checks shapes",
         LISTING),
    Item("§5.2", "model_output", "The large model's output is computed each step.", W,
         "live: it never enters the loss; the student ends bit for bit the same with another teacher", "-",
         TEACHER),
    Item("§5.2", "optim.Adam", "Adam trains the quantized model.", M,
         "float steps move its weights off the integer grid, so after training it is no longer quantized",
         "quant/fake_quant.py: fake_quantize_ste", LISTING),
    Item("§5.2", "无温度", "The listing distils without a temperature.", M,
         "at T = 1 the soft labels carry little of the dark knowledge; Hinton's loss has T and T²",
         "distill/kd_loss.py", LISTING),
    Item("§5.2.5", "两者共同作用", "Cross-entropy and MSE together make the quantized model learn the original's "
         "performance.", W, "live: the teacher never reaches the student", "experiments/seed_example.py", TEACHER),
    Item("§5.2.6", "输出差异", "Printing the two models' outputs shows the quantized model learned.", W,
         "live: the two outputs come from different random inputs, and the student never saw the teacher",
         "experiments/seed_example.py: run_seed_example", TEACHER),
    # --- §6 --------------------------------------------------------------------------------------
    Item("§6.1", "参数数量和计算量", "In vision, quantization lowers parameter count and computation.", W,
         "measured: the count is unchanged; see §3.1", "bill.py", PARAMS),
    Item("§6.1", "目标检测、图像分类", "Both serve detection and classification, small models on phones.", O,
         "classification is what the tour does; detection and phones are beyond an MLP"),
    Item("§6.2", "文本分类、机器翻译", "In NLP they serve classification and translation.", O,
         "beyond an MLP on digits"),
    Item("§6.3", "语音合成", "Speech synthesis is listed among speech-recognition tasks.", N,
         "a category slip (synthesis produces speech, recognition transcribes it); a matter of definitions, "
         "not of computation"),
    Item("§6.3", "嵌入式设备", "Distillation lets small speech models run on embedded devices.", O,
         "beyond an MLP on digits"),
    # --- §7 --------------------------------------------------------------------------------------
    Item("§7.1", "Goodfellow et al., 2016", "The textbook Deep Learning (Goodfellow, Bengio, Courville).", R,
         "reference: MIT Press, 2016"),
    Item("§7.1", "邱锡鹏，2019", "Qiu Xipeng's textbook on neural networks and deep learning.", R,
         "reference: online 2019, in print 2020 (China Machine Press)"),
    Item("§7.2", "TensorFlow / PyTorch", "Both frameworks suit these techniques.", R,
         "both ship quantization and distillation tooling; minicompress follows PyTorch's conventions",
         "quant/conventions.py"),
    Item("§7.3", "Han et al. 2015, ICCV", "Deep Compression appeared at ICCV 2015, pages 1261-1269.", W,
         "live: it is ICLR 2016 (arXiv 1510.00149); no ICCV pages", "prune/ (Deep Compression)", HAN),
    Item("§7.3", "Hinton et al., 1606.04455", "The distillation paper is by Hinton, van der Maaten, Misra, "
         "姥爷 and Osindero, arXiv 1606.04455.", W,
         "live: Hinton, Vinyals, Dean, arXiv 1503.02531; 4 authors are wrong and one name is garbled",
         "distill/kd_loss.py", HINTON),
    # --- §8 --------------------------------------------------------------------------------------
    Item("§8.1", "减少计算量和存储空间", "Quantization has effectively reduced computation and storage.", M,
         "measured: storage yes (3.81×); the MAC count is unchanged", "bill.py", MACS),
    Item("§8.1", "良好的效果", "Both have achieved good results in practice.", N, "too general to test: it names no quantity to measure"),
    Item("§8.2", "更高效的量化", "Future work: more efficient and accurate quantization.", N, "a forecast: no measurement today can confirm or refute it"),
    Item("§8.2", "多模型蒸馏", "Future work: distilling several large models into one.", M,
         "live: the paper the seed cites already distils an ensemble (2015)", "distill/variants.py: "
         "multi_teacher_targets", HINTON),
    Item("§8.2", "跨模态压缩", "Future work: cross-modal compression of image and speech models.", N,
         "a forecast; cross-modal distillation exists (Gupta et al. 2016)"),
    Item("§8.3", "模型精度损失", "Accuracy loss is a challenge.", R,
         "measured: int2 loses half the accuracy; the fix is in how one rounds (GPTQ, AdaRound)",
         "quant/gptq.py, quant/adaround.py", LOW_BITS),
    Item("§8.3", "计算资源和时间成本", "Distillation's compute and time are a challenge.", M,
         "measured: see §3.3", "experiments/distill.py", KD_COST),
    Item("§8.3", "应用场景多样化", "Diverse deployment targets are a challenge.", N, "too general to test: it names no quantity to measure"),
    Item("§8.4", "研究展望", "Compression will matter more in future.", N, "a forecast: no measurement today can confirm or refute it"),
    # --- §9 --------------------------------------------------------------------------------------
    Item("§9.1", "什么是量化技术", "Quantization lowers parameter precision to shrink models.", R,
         "measured: 3.81× fewer bytes at int8", "bill.py", PARAMS),
    Item("§9.1", "参数数量和计算量", "Its advantage: fewer parameters and less computation.", W,
         "measured: see §3.1", "bill.py", PARAMS),
    Item("§9.1", "降低模型的精度", "Its drawback: lower accuracy at low precision.", R, "measured: see §3.3",
         "quant/model.py", LOW_BITS),
    Item("§9.1", "全精度、低精度、小数量化", "The types of quantization are full, low and fractional precision.", M,
         "live: full precision is the unquantized reference; the field's types are uniform or not, "
         "symmetric or affine, per tensor or per channel, PTQ or QAT", "quant/conventions.py", FULL),
    Item("§9.2", "什么是知识蒸馏", "Distillation transfers a large model's knowledge to a small one.", R,
         "reference: Hinton et al. 2015", "distill/"),
    Item("§9.2", "实时性和适应性", "Its advantage: real-time performance and adaptability.", N,
         "too general to test; the tour times the student"),
    Item("§9.2", "计算资源和时间", "Its drawback: much compute and time.", M, "measured: see §3.3",
         "experiments/distill.py", KD_COST),
    Item("§9.2", "模型蒸馏和参数蒸馏", "The types of distillation are model and parameter distillation.", N,
         "a naming question; see §2.2 and the glossary"),
    # --- signature -------------------------------------------------------------------------------
    Item("author", "禅与计算机程序设计艺术", "The author is a Turing-award-winning world expert.", N,
         "the pen name plays on Knuth's The Art of Computer Programming; the credentials name no person and "
         "cannot be checked"),
)
