"""Neural-network building blocks with PyTorch's names, parameter names and initialisation."""

from . import functional, init, utils  # noqa: F401
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh  # noqa: F401
from .containers import ModuleDict, ModuleList, ParameterList, Sequential  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .linear import Flatten, Identity, Linear, Unflatten  # noqa: F401
from .loss import (  # noqa: F401
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, GaussianNLLLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
)
from .module import Module  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401

# Layers contributed by other parts of the library are imported below, one line each.
from .sparse import Embedding  # noqa: F401,E402
from .normalization import LayerNorm  # noqa: F401,E402
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell  # noqa: F401,E402
from .attention import MultiheadAttention  # noqa: F401,E402
from .transformer import Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer  # noqa: F401,E402
from .positional import LearnedPositionalEmbedding, RotaryEmbedding, SinusoidalPositionalEncoding  # noqa: F401,E402
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d  # noqa: F401,E402  (convolutional networks)
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, MaxUnpool2d  # noqa: F401,E402
from .batchnorm import BatchNorm1d, BatchNorm2d, GroupNorm  # noqa: F401,E402
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401,E402
from .spatial import ConstantPad2d, Dropout1d, Dropout2d, Fold, ReflectionPad2d, ReplicationPad2d, Unfold, ZeroPad2d  # noqa: F401,E402
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401,E402
from . import modules  # noqa: F401,E402  (torch.nn.modules.<file>.<Class> import paths)
from . import parallel  # noqa: F401,E402  (torch.nn.parallel: DistributedDataParallel arrives with the MPI work)
from .activation_extra import (  # noqa: F401,E402
    CELU, GLU, SELU, CosineSimilarity, Hardsigmoid, Hardswish, Hardtanh, Mish, PairwiseDistance, ReLU6, Softmin,
    Softsign, Threshold,
)
from . import utils_rnn as _utils_rnn  # noqa: E402

# torch.nn.utils.rnn: ``nn.utils`` is a module here, so its ``rnn`` part is attached by hand
utils.rnn = _utils_rnn  # type: ignore[attr-defined]
__import__("sys").modules.setdefault("gradstudent.nn.utils.rnn", _utils_rnn)
from .loss_extra import (  # noqa: F401,E402
    CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss,
    TripletMarginLoss,
)
from .layers_extra import Bilinear, InstanceNorm1d, InstanceNorm2d, PReLU, RMSNorm  # noqa: F401,E402
