"""The PyTorch names that tutorials and examples use, grouped by area.

Derived by hand from PyTorch's official tutorials (60-minute blitz, "Learning
PyTorch with Examples", the nn/optim/data tutorials, the NLP-from-scratch
series, the transformer and DCGAN/VAE tutorials) and from pytorch/examples
(mnist, word_language_model, dcgan, vae, super_resolution, time_sequence_prediction,
imagenet, fast_neural_style) as their authors remember them: every name a
beginner or intermediate program is likely to call. Each is written relative to
``torch`` (``"nn.functional.relu"`` means ``torch.nn.functional.relu``;
``"Tensor.view"`` is a Tensor method). ``tools/api_coverage.py`` measures
which of them gradstudent provides.

``LEFT_OUT`` lists what gradstudent leaves out on purpose, with the reason;
those names count as missing in the measured share (honest numbers), and the
table lists them separately.
"""

from __future__ import annotations

AREAS: dict[str, list[str]] = {
    "tensor creation": """
        tensor as_tensor from_numpy zeros ones empty full zeros_like ones_like empty_like full_like arange linspace
        logspace eye rand randn randint randperm rand_like randn_like randint_like normal bernoulli multinomial
        manual_seed seed initial_seed Generator get_rng_state set_rng_state tril_indices triu_indices meshgrid diag
        diag_embed Tensor LongTensor FloatTensor BoolTensor is_tensor is_floating_point numel set_default_dtype
        get_default_dtype float32 float64 float16 bfloat16 int64 int32 int16 int8 uint8 bool long float double half
        finfo iinfo complex64 polar
    """,
    "math": """
        abs add sub mul div pow exp log log2 log10 log1p expm1 sqrt rsqrt sin cos tan tanh sigmoid relu sign clamp clip
        floor ceil round trunc frac maximum minimum max min amax amin argmax argmin sum mean std var prod cumsum cumprod
        logsumexp norm matmul mm bmm dot outer einsum softmax log_softmax where erf atan2 reciprocal square neg remainder
        fmod isnan isinf isfinite allclose isclose equal eq ne lt le gt ge logical_and logical_or logical_not logical_xor
        all any sort argsort topk kthvalue median mode unique bincount histc cdist lerp addmm baddbmm tril triu trace
        inverse det var_mean std_mean count_nonzero diff cross nan_to_num sinh cosh asin acos atan erfinv
        linalg.norm linalg.vector_norm linalg.matrix_norm linalg.inv linalg.solve linalg.svd linalg.eigh linalg.qr
        linalg.cholesky linalg.det linalg.slogdet linalg.pinv linalg.lstsq linalg.eigvalsh fft.fft fft.rfft fft.ifft
    """,
    "indexing and shape": """
        reshape flatten unflatten squeeze unsqueeze permute transpose t cat concat concatenate stack split chunk narrow
        gather scatter scatter_add index_select masked_fill masked_select take nonzero flip roll repeat_interleave tile
        broadcast_to broadcast_tensors movedim swapaxes hstack vstack dstack unbind select tensor_split index_add
        index_put clone searchsorted bucketize atleast_2d column_stack take_along_dim
        Tensor.view Tensor.view_as Tensor.reshape Tensor.reshape_as Tensor.expand Tensor.expand_as Tensor.repeat
        Tensor.contiguous Tensor.is_contiguous Tensor.permute Tensor.transpose Tensor.t Tensor.T Tensor.mT
        Tensor.unsqueeze Tensor.squeeze Tensor.flatten Tensor.unflatten Tensor.chunk Tensor.split Tensor.unbind
        Tensor.gather Tensor.scatter Tensor.scatter_ Tensor.scatter_add_ Tensor.index_select Tensor.masked_fill
        Tensor.masked_fill_ Tensor.index_fill_ Tensor.index_add_ Tensor.index_copy_ Tensor.nonzero Tensor.flip
        Tensor.roll Tensor.narrow Tensor.select Tensor.unfold Tensor.size Tensor.shape Tensor.dim Tensor.ndim
        Tensor.numel Tensor.nelement Tensor.stride Tensor.__getitem__ Tensor.__setitem__ Tensor.__len__ Tensor.__iter__
    """,
    "tensor methods": """
        Tensor.item Tensor.tolist Tensor.numpy Tensor.dtype Tensor.float Tensor.double Tensor.long Tensor.int
        Tensor.bool Tensor.half Tensor.type Tensor.type_as Tensor.clone Tensor.copy_ Tensor.zero_ Tensor.fill_
        Tensor.add_ Tensor.sub_ Tensor.mul_ Tensor.div_ Tensor.clamp_ Tensor.uniform_ Tensor.normal_ Tensor.random_
        Tensor.bernoulli_ Tensor.exponential_ Tensor.fill_diagonal_ Tensor.new_zeros Tensor.new_ones Tensor.new_tensor
        Tensor.new_full Tensor.new_empty Tensor.sum Tensor.mean Tensor.max Tensor.min Tensor.argmax Tensor.argmin
        Tensor.softmax Tensor.log_softmax Tensor.exp Tensor.log Tensor.sqrt Tensor.pow Tensor.abs Tensor.relu
        Tensor.sigmoid Tensor.tanh Tensor.matmul Tensor.mm Tensor.bmm Tensor.dot Tensor.eq Tensor.ne Tensor.lt
        Tensor.gt Tensor.le Tensor.ge Tensor.all Tensor.any Tensor.sort Tensor.argsort Tensor.topk Tensor.norm
        Tensor.std Tensor.var Tensor.cumsum Tensor.prod Tensor.round Tensor.floor Tensor.ceil Tensor.clamp
        Tensor.where Tensor.tril Tensor.triu Tensor.neg Tensor.sign Tensor.unique Tensor.diag Tensor.masked_select
        Tensor.add Tensor.sub Tensor.mul Tensor.div Tensor.equal Tensor.allclose Tensor.element_size
        Tensor.__format__ Tensor.__bool__ Tensor.__float__ Tensor.__int__ Tensor.apply_ Tensor.map_ Tensor.logical_not
        Tensor.isnan Tensor.nan_to_num Tensor.lerp Tensor.square Tensor.rsqrt Tensor.reciprocal Tensor.sin Tensor.cos
    """,
    "autograd": """
        no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled
        autograd.grad autograd.backward autograd.Function autograd.gradcheck autograd.gradgradcheck
        autograd.set_detect_anomaly autograd.detect_anomaly autograd.Variable autograd.functional.jacobian
        autograd.functional.hessian autograd.functional.vjp autograd.functional.jvp autograd.functional.hvp
        autograd.function.FunctionCtx autograd.function.once_differentiable autograd.graph.saved_tensors_hooks
        Tensor.backward Tensor.grad Tensor.requires_grad Tensor.requires_grad_ Tensor.detach Tensor.detach_
        Tensor.grad_fn Tensor.is_leaf Tensor.retain_grad Tensor.register_hook Tensor.data
    """,
    "nn layers": """
        nn.Module nn.Parameter nn.Buffer nn.Linear nn.Bilinear nn.Identity nn.Flatten nn.Unflatten nn.Conv1d nn.Conv2d
        nn.Conv3d nn.ConvTranspose1d nn.ConvTranspose2d nn.MaxPool1d nn.MaxPool2d nn.MaxPool3d nn.AvgPool1d
        nn.AvgPool2d nn.AdaptiveAvgPool1d nn.AdaptiveAvgPool2d nn.AdaptiveMaxPool2d nn.MaxUnpool2d nn.BatchNorm1d
        nn.BatchNorm2d nn.BatchNorm3d nn.LayerNorm nn.GroupNorm nn.InstanceNorm2d nn.LocalResponseNorm nn.RMSNorm
        nn.Dropout nn.Dropout1d nn.Dropout2d nn.Dropout3d nn.AlphaDropout nn.Embedding nn.EmbeddingBag nn.RNN nn.LSTM
        nn.GRU nn.RNNCell nn.LSTMCell nn.GRUCell nn.Transformer nn.TransformerEncoder nn.TransformerEncoderLayer
        nn.TransformerDecoder nn.TransformerDecoderLayer nn.MultiheadAttention nn.ReLU nn.ReLU6 nn.LeakyReLU nn.PReLU
        nn.ELU nn.SELU nn.CELU nn.GELU nn.SiLU nn.Mish nn.Sigmoid nn.Tanh nn.Softmax nn.LogSoftmax nn.Softplus
        nn.Softsign nn.Hardtanh nn.Hardswish nn.Hardsigmoid nn.Threshold nn.GLU nn.Softmin nn.Sequential nn.ModuleList
        nn.ModuleDict nn.ParameterList nn.ParameterDict nn.Upsample nn.UpsamplingNearest2d nn.UpsamplingBilinear2d
        nn.PixelShuffle nn.PixelUnshuffle nn.ZeroPad2d nn.ConstantPad1d nn.ConstantPad2d nn.ReflectionPad1d
        nn.ReflectionPad2d nn.ReplicationPad2d nn.Fold nn.Unfold nn.CosineSimilarity nn.PairwiseDistance
        nn.MSELoss nn.L1Loss nn.CrossEntropyLoss nn.NLLLoss nn.BCELoss nn.BCEWithLogitsLoss nn.HuberLoss
        nn.SmoothL1Loss nn.KLDivLoss nn.GaussianNLLLoss nn.CTCLoss nn.MarginRankingLoss nn.TripletMarginLoss
        nn.CosineEmbeddingLoss nn.HingeEmbeddingLoss nn.PoissonNLLLoss nn.MultiLabelSoftMarginLoss nn.MultiMarginLoss
        nn.init.xavier_uniform_ nn.init.xavier_normal_ nn.init.kaiming_uniform_ nn.init.kaiming_normal_
        nn.init.normal_ nn.init.uniform_ nn.init.zeros_ nn.init.ones_ nn.init.constant_ nn.init.orthogonal_
        nn.init.trunc_normal_ nn.init.eye_ nn.init.calculate_gain nn.utils.clip_grad_norm_ nn.utils.clip_grad_value_
        nn.utils.parameters_to_vector nn.utils.vector_to_parameters nn.utils.rnn.pad_sequence
        nn.utils.rnn.pack_padded_sequence nn.utils.rnn.pad_packed_sequence nn.utils.rnn.pack_sequence
        nn.utils.weight_norm nn.utils.spectral_norm
        nn.Module.parameters nn.Module.named_parameters nn.Module.children nn.Module.named_children nn.Module.modules
        nn.Module.named_modules nn.Module.buffers nn.Module.named_buffers nn.Module.register_buffer
        nn.Module.register_parameter nn.Module.add_module nn.Module.apply nn.Module.train nn.Module.eval
        nn.Module.zero_grad nn.Module.requires_grad_ nn.Module.forward nn.Module.register_forward_hook
        nn.Module.register_forward_pre_hook nn.Module.register_full_backward_hook nn.Module.half nn.Module.float
        nn.Module.double nn.Module.extra_repr nn.Module.get_submodule nn.Module.get_parameter nn.Module.training
    """,
    "functional": """
        relu relu6 leaky_relu elu selu celu gelu silu mish sigmoid tanh softmax softmin log_softmax softplus softsign
        hardtanh hardswish hardsigmoid glu logsigmoid threshold normalize one_hot dropout dropout1d dropout2d linear
        bilinear conv1d conv2d conv_transpose1d conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d
        adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool2d interpolate upsample pad grid_sample affine_grid
        unfold fold pixel_shuffle pixel_unshuffle embedding layer_norm batch_norm group_norm instance_norm rms_norm
        scaled_dot_product_attention cosine_similarity pairwise_distance mse_loss l1_loss cross_entropy nll_loss
        binary_cross_entropy binary_cross_entropy_with_logits huber_loss smooth_l1_loss kl_div gaussian_nll_loss
        ctc_loss margin_ranking_loss triplet_margin_loss cosine_embedding_loss poisson_nll_loss gumbel_softmax
    """,
    "optim": """
        optim.Optimizer optim.SGD optim.Adam optim.AdamW optim.Adagrad optim.Adadelta optim.RMSprop optim.Adamax
        optim.NAdam optim.RAdam optim.LBFGS optim.SparseAdam optim.Optimizer.zero_grad optim.Optimizer.step
        optim.Optimizer.add_param_group optim.Optimizer.state_dict optim.Optimizer.load_state_dict
        optim.lr_scheduler.LRScheduler optim.lr_scheduler.StepLR optim.lr_scheduler.MultiStepLR
        optim.lr_scheduler.ExponentialLR optim.lr_scheduler.CosineAnnealingLR
        optim.lr_scheduler.CosineAnnealingWarmRestarts optim.lr_scheduler.ReduceLROnPlateau
        optim.lr_scheduler.OneCycleLR optim.lr_scheduler.CyclicLR optim.lr_scheduler.LambdaLR
        optim.lr_scheduler.MultiplicativeLR optim.lr_scheduler.LinearLR optim.lr_scheduler.ConstantLR
        optim.lr_scheduler.SequentialLR optim.lr_scheduler.ChainedScheduler optim.lr_scheduler.PolynomialLR
        optim.swa_utils.AveragedModel optim.swa_utils.SWALR
    """,
    "data": """
        utils.data.Dataset utils.data.IterableDataset utils.data.TensorDataset utils.data.DataLoader utils.data.Subset
        utils.data.ConcatDataset utils.data.random_split utils.data.Sampler utils.data.RandomSampler
        utils.data.SequentialSampler utils.data.SubsetRandomSampler utils.data.WeightedRandomSampler
        utils.data.BatchSampler utils.data.default_collate utils.data.get_worker_info utils.data.StackDataset
        utils.data.distributed.DistributedSampler
    """,
    "serialization": """
        save load serialization.safe_globals serialization.add_safe_globals nn.Module.state_dict
        nn.Module.load_state_dict utils.checkpoint.checkpoint jit.script jit.trace jit.save jit.load onnx.export
        hub.load compile
    """,
    "devices": """
        device cuda.is_available cuda.device_count cuda.manual_seed cuda.manual_seed_all cuda.synchronize
        cuda.empty_cache cuda.current_device cuda.get_device_name cuda.memory_allocated backends.cudnn.benchmark
        backends.cudnn.deterministic backends.cudnn.is_available backends.mps.is_available accelerator.is_available
        set_default_device get_default_device Tensor.to Tensor.cpu Tensor.cuda Tensor.is_cuda Tensor.device
        Tensor.pin_memory nn.Module.to nn.Module.cuda nn.Module.cpu autocast amp.GradScaler
        use_deterministic_algorithms set_num_threads get_num_threads set_float32_matmul_precision
        distributed.is_available nn.parallel.DistributedDataParallel
    """,
}

#: Left out on purpose (counted as missing; listed with the reason).
LEFT_OUT: dict[str, str] = {
    "jit.script": "TorchScript compiles Python to a graph; gradstudent is readable Python on NumPy, with no compiler",
    "jit.trace": "as jit.script",
    "jit.save": "as jit.script",
    "jit.load": "as jit.script",
    "compile": "torch.compile generates kernels; out of scope for a NumPy reference implementation",
    "hub.load": "downloads code and pickled weights from the internet (never pickle)",
    "complex64": "complex tensors are not supported (real autograd only)",
    "polar": "as complex64",
    "fft.fft": "FFTs are not part of the course's ops (complex results)",
    "fft.rfft": "as fft.fft",
    "fft.ifft": "as fft.fft",
    "Tensor.pin_memory": "page-locked host memory only matters for CUDA transfers",
    "Tensor.apply_": "runs a Python function per element in place; slow and rarely right",
    "Tensor.map_": "as Tensor.apply_",
    "nn.EmbeddingBag": "not yet: Embedding + a reduction does the same",
    "nn.CTCLoss": "not yet: needs the CTC forward-backward recursion",
    "ctc_loss": "as nn.CTCLoss",
    "optim.SparseAdam": "gradstudent has no sparse gradients",
    "autograd.Variable": "deprecated since PyTorch 0.4 (a Tensor is a Variable)",
    "grid_sample": "not yet: bilinear sampling at arbitrary points",
    "affine_grid": "as grid_sample",
}
