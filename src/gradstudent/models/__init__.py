"""A library of models built from ``gradstudent.nn``. Each family lives in its own module."""

from .cnn import VGG, LeNet5, SmallCNN, vgg_small  # noqa: F401
from .resnet import BasicBlock, Bottleneck, ResNet, resnet8, resnet18, resnet20, resnet50  # noqa: F401
from .unet import UNet  # noqa: F401
from .gpt import GPT  # noqa: F401
from .sequence import AttentionClassifier, CharLSTM, RecurrentClassifier  # noqa: F401
from .seq2seq import AdditiveAttention, Seq2Seq  # noqa: F401
