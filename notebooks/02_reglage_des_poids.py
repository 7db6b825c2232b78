# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Régler les poids sur des résultats connus
#
# Les jugements (`data/sample/outcomes.csv`) disent, pour des couples (poste, ingénieur),
# ce qu'un conseiller en a pensé : 2 = nommé, 1 = retenu ou reçu en entretien, 0 = non
# adapté. Sur l'échantillon, ces jugements sont **simulés sans le moteur** à partir de la
# vérité du générateur (métier d'origine de chaque profil, métiers qui conviennent à chaque
# poste illustratif) : voir `data/scripts/build_outcomes.py` et `docs/ANALYSTS.md`.
#
# Méthode : les postes jugés sont partagés une fois pour toutes (tirage reproductible) en
# une moitié d'**apprentissage**, sur laquelle on cherche les poids, et une moitié de
# **test**, jamais vue pendant la recherche, sur laquelle on rend compte. Le lot est préparé
# une seule fois ; chaque configuration essayée n'est que reclassée.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import atelier
from matching import COMPONENTS, SHORT_LABELS, Config, compare_configs, evaluate_config, per_position_metrics, read_labels, tune

batch = atelier.load_batch()
config, prepared = batch.config, batch.prepared
labels = read_labels(atelier.OUTCOMES)
print(f"{len(labels)} jugements sur {labels['position_id'].nunique()} postes ; notes : {labels['grade'].value_counts().sort_index().to_dict()}")

# %% [markdown]
# ## La configuration par défaut, sur tous les postes jugés

# %%
pd.Series(evaluate_config(prepared, config, labels, k=10)).round(3).to_frame("défaut")

# %% [markdown]
# ## Recherche des poids
# Recherche aléatoire reproductible (graine 0), puis recherche coordonnée autour du meilleur
# point ; critère : nDCG@10 sur l'apprentissage.

# %%
result = tune(prepared, labels, base=config, metric="ndcg@10", n_trials=atelier.n_trials(), seed=0)
for line in result.summary():
    print(line)
result.table().round(3)

# %%
trials = result.trials
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
axes[0].scatter(trials["trial"], trials["ndcg@10"], s=10, c=trials["phase"].astype("category").cat.codes, cmap="viridis")
axes[0].plot(trials["trial"], trials["ndcg@10"].cummax(), color="crimson", label="meilleur jusqu'ici")
axes[0].set_xlabel("essai")
axes[0].set_ylabel("nDCG@10 (apprentissage)")
axes[0].set_title("Configurations essayées")
axes[0].legend()
w = pd.DataFrame(
    {"défaut": result.base.weights.normalized(), "réglée": result.config.weights.normalized()}
).rename(index=SHORT_LABELS)
w.plot.barh(ax=axes[1], color=["#9aa5b1", "#2e6f40"])
axes[1].set_title("Poids normalisés")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Sur le test : défaut contre réglée, poste par poste

# %%
per = {}
for name, cfg in (("défaut", result.base), ("réglée", result.config)):
    sl = batch.rerank(cfg).shortlists
    p = per_position_metrics(sl, labels, k=10).set_index("position_id")
    per[name] = p.loc[p.index.isin(result.test_positions), "ndcg@10"]
per = pd.DataFrame(per)
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(per["défaut"], per["réglée"], color="#2e6f40")
ax.plot([0, 1], [0, 1], color="grey", linestyle="--")
ax.set_xlabel("nDCG@10, configuration par défaut")
ax.set_ylabel("nDCG@10, configuration réglée")
ax.set_title("Postes de test")
plt.show()
print(f"Postes de test améliorés : {(per['réglée'] > per['défaut']).sum()}, dégradés : {(per['réglée'] < per['défaut']).sum()}, sur {len(per)}.")

# %% [markdown]
# ## Ce qui change dans les listes

# %%
metrics, changes = compare_configs(prepared, result.base, result.config, labels, names=("défaut", "réglée"))
display(metrics.T.round(3))
print(changes["change"].value_counts().to_string())
changes.head(10)

# %% [markdown]
# ## Enregistrer la configuration réglée
# Le fichier TOML se relit avec `Config.from_toml` et se lance en ligne de commande avec
# `--config`. Avant de l'adopter : relire les poids (un poids nul retire une composante de
# toutes les explications), vérifier l'audit d'équité (carnet 03) avec cette configuration.

# %%
path = atelier.out_dir() / "configuration_reglee.toml"
result.config.save(path)

assert Config.from_toml(path) == result.config
print(f"Configuration réglée enregistrée : {path}")
