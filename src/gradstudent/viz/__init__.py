"""Seeing inside convolutional networks: saliency maps, Grad-CAM, activation
maximization, filters and feature maps. Each ``plot_*`` returns a matplotlib
``Figure`` (no global pyplot state: save it with ``fig.savefig`` or ``ctx.save_figure``)."""

from .attribution import capture, grad_cam, saliency_map, smoothgrad  # noqa: F401
from .graph import draw_graph, step_through  # noqa: F401
from .features import activation_maximization, feature_maps  # noqa: F401
from .plots import (  # noqa: F401
    image_grid, plot_activation_maximization, plot_feature_maps, plot_filters, plot_grad_cam, plot_saliency,
)
