"""Generative models: autoencoders, VAEs, GANs, energy-based models (and flows, flow matching,
diffusion). One module per family, each with its objective in the docstring."""

from . import autoencoder, distributions, ebm, gan, vae  # noqa: F401
from .autoencoder import Autoencoder, ConvAutoencoder, DenseAutoencoder  # noqa: F401
from .distributions import Bernoulli, Normal  # noqa: F401
from .ebm import EnergyMLP, PersistentChains, langevin_dynamics  # noqa: F401
from .gan import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator  # noqa: F401
from .vae import VAE, ConditionalVAE  # noqa: F401
from . import flows, flows_autoregressive  # noqa: F401
from .flows import ActNorm, AffineCoupling, Flow, Permutation, RealNVP  # noqa: F401
from .flows_autoregressive import MADE, MAF, MAFLayer  # noqa: F401
from . import diffusion, flow_matching, time_mlp  # noqa: F401
from .diffusion import DDPM, VPSDE  # noqa: F401
from .flow_matching import FlowMatching  # noqa: F401
from .time_mlp import TimeMLP  # noqa: F401
from .scores import DigitsScorer, frechet_distance  # noqa: F401
